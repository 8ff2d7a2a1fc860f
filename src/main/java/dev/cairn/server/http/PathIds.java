package dev.cairn.server.http;

import dev.cairn.validation.ValidationException;
import io.vertx.ext.web.RoutingContext;
import java.util.OptionalLong;

/** Numeric ids in URL paths ({@code /api/jobsets/{id}}, {@code /api/v1/queue/{id}/ping}): positive decimal integers. */
public final class PathIds {
  private PathIds() {}

  /** The positive id in path parameter {@code name}; malformed → a ValidationException naming it. */
  public static long of(RoutingContext rc, String name) {
    String s = rc.pathParam(name);
    if (s == null || !s.matches("[0-9]{1,18}") || Long.parseLong(s) == 0) {
      throw ValidationException.of(name + ": must be a positive integer");
    }
    return Long.parseLong(s);
  }

  /** As {@link #of}, but a malformed id is answered (422 naming it) here and gives empty. */
  public static OptionalLong orAnswer(RoutingContext rc, String name) {
    try {
      return OptionalLong.of(of(rc, name));
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return OptionalLong.empty();
    }
  }
}
