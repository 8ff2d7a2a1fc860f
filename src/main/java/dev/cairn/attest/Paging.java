package dev.cairn.attest;

import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/** {@code ?limit=&after=} (keyset), {@code ?offset=} and flag query parameters, validated. */
final class Paging {
  static final int MAX_LIMIT = 10_000;

  private Paging() {}

  static Optional<Integer> limit(RoutingContext rc) {
    return intParam(rc, "limit", 1, MAX_LIMIT);
  }

  static long after(RoutingContext rc) {
    String v = rc.queryParams().get("after");
    if (v == null) {
      return 0;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("after: must be an integer id (got \"" + v + "\")");
    }
  }

  static Optional<Integer> intParam(RoutingContext rc, String name, int min, int max) {
    String v = rc.queryParams().get(name);
    if (v == null) {
      return Optional.empty();
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return Optional.of(n);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": must be an integer in " + min + ".." + max + " (got \"" + v + "\")");
    }
  }

  /** A {@code true|false} query parameter; absent is false, anything else is refused. */
  static boolean flag(RoutingContext rc, String name) {
    String v = rc.queryParams().get(name);
    if (v == null || v.equals("false")) {
      return false;
    }
    if (v.equals("true")) {
      return true;
    }
    throw new IllegalArgumentException(name + ": must be true or false (got \"" + v + "\")");
  }
}
