package dev.cairn.server.http;

import dev.cairn.users.Role;
import dev.cairn.users.User;
import dev.cairn.users.UserService;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The one way a route accepts a write: authenticate the token (Bearer, or Basic's password),
 * check what the user may do, and only then read the body. An unauthenticated request is
 * answered 401 without a byte of its body being read (on HTTP/1.1 the connection is then
 * closed; a client that sent {@code Expect: 100-continue} never sends the body at all), so an
 * anonymous client cannot make the server hold or parse anything.
 *
 * <pre>
 * router.put("/reports/:name").handler(writes.body(maxBytes, Role.WRITER)).handler(this::putReport);
 * router.post("/link_patterns").handler(writes.noBody(Role.ADMIN)).handler(this::addLinkPattern);
 * </pre>
 *
 * The handler after it finds the caller in {@link #user(RoutingContext)} and the body in
 * {@link RawBody#of(RoutingContext)}.
 */
public final class Writes {
  private static final String USER = "cairn.user";
  private final Vertx vertx;
  private final UserService users;
  private final BodyBudget budget;
  private final HttpLimits limits;

  public Writes(Vertx vertx, UserService users, BodyBudget budget, HttpLimits limits) {
    this.vertx = vertx;
    this.users = users;
    this.budget = budget;
    this.limits = limits;
  }

  /** Authenticates a user whose role allows {@code required} (403 otherwise), then reads a body of at most {@code maxBytes}. */
  public Handler<RoutingContext> body(long maxBytes, Role required) {
    return body(maxBytes, u -> u.role().allows(required), u -> roleRequired(required, u));
  }

  /** Authenticates, checks {@code allowed} (403 with {@code refusal} otherwise), then reads a body of at most {@code maxBytes}. */
  public Handler<RoutingContext> body(long maxBytes, Predicate<User> allowed, Function<User, String> refusal) {
    RawBody read = new RawBody(vertx, budget, limits, maxBytes);
    return rc -> authenticate(rc, allowed, refusal, read);
  }

  /** Authenticates a user whose role allows {@code required}, for a write whose input is its URL (the body is not read). */
  public Handler<RoutingContext> noBody(Role required) {
    return rc -> authenticate(rc, u -> u.role().allows(required), u -> roleRequired(required, u), ctx -> {
      ctx.request().resume();
      ctx.next();
    });
  }

  /**
   * Authenticates a user whose role allows {@code required} and hands over the request still
   * paused, body unread, to a handler that streams it (e.g. {@link StreamedNarUpload}); that
   * handler sets its data handler and then resumes the request.
   */
  public Handler<RoutingContext> streamed(Role required) {
    return rc -> authenticate(rc, u -> u.role().allows(required), u -> roleRequired(required, u), RoutingContext::next);
  }

  /** The 403 detail for a user whose role is not enough (the same words on every route). */
  public static String roleRequired(Role required, User user) {
    return "role: " + required + " required (" + user.name() + " is " + user.role() + ")";
  }

  /** The user {@link #body} or {@link #noBody} authenticated for this request. */
  public static User user(RoutingContext rc) {
    User u = rc.get(USER);
    if (u == null) {
      throw new IllegalStateException("route has no Writes handler before it");
    }
    return u;
  }

  private void authenticate(RoutingContext rc, Predicate<User> allowed, Function<User, String> refusal, Handler<RoutingContext> then) {
    HttpServerRequest request = rc.request();
    // Nothing is read while the token is looked up: the body waits in the socket.
    request.pause();
    users.authenticate(BearerToken.of(request).orElse(null)).onComplete(ar -> {
      if (ar.failed()) {
        rc.fail(ar.cause());
      } else if (ar.result().isEmpty()) {
        // lila's answer to a missing or unknown token.
        refuse(rc, 401, "User not found");
      } else if (!allowed.test(ar.result().get())) {
        refuse(rc, 403, refusal.apply(ar.result().get()));
      } else {
        rc.put(USER, ar.result().get());
        then.handle(rc);
      }
    });
  }

  private static void refuse(RoutingContext rc, int status, String detail) {
    if (rc.request().isEnded()) {
      JsonError.send(rc.response(), status, detail);
    } else {
      JsonError.sendAndClose(rc.request(), status, detail);
    }
  }
}
