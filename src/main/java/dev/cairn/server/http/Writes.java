package dev.cairn.server.http;

import dev.cairn.users.User;
import dev.cairn.users.UserService;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Predicate;

/**
 * The one way a route accepts a write: authenticate the token (Bearer, or Basic's password),
 * check what the user may do, and only then read the body. An unauthenticated request is
 * answered 401 without a byte of its body being read (on HTTP/1.1 the connection is then
 * closed; a client that sent {@code Expect: 100-continue} never sends the body at all), so an
 * anonymous client cannot make the server hold or parse anything.
 *
 * <pre>
 * router.put("/reports/:name").handler(writes.body(maxBytes)).handler(this::putReport);
 * router.post("/link_patterns").handler(writes.noBody(User::isAdmin)).handler(this::addLinkPattern);
 * </pre>
 *
 * The handler after it finds the caller in {@link #user(RoutingContext)} and the body in
 * {@link RawBody#of(RoutingContext)}.
 */
public final class Writes {
  private static final String USER = "cairn.user";
  /** Every active user: until roles exist, any valid token may write. */
  public static final Predicate<User> ANY_USER = u -> true;

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

  /** Authenticates any active user, then reads a body of at most {@code maxBytes}. */
  public Handler<RoutingContext> body(long maxBytes) {
    return body(maxBytes, ANY_USER);
  }

  /** Authenticates, checks {@code allowed} (403 otherwise), then reads a body of at most {@code maxBytes}. */
  public Handler<RoutingContext> body(long maxBytes, Predicate<User> allowed) {
    RawBody read = new RawBody(vertx, budget, limits, maxBytes);
    return rc -> authenticate(rc, allowed, read);
  }

  /** Authenticates and checks {@code allowed} for a write whose input is its URL (the body is not read). */
  public Handler<RoutingContext> noBody(Predicate<User> allowed) {
    return rc -> authenticate(rc, allowed, ctx -> {
      ctx.request().resume();
      ctx.next();
    });
  }

  /** The user {@link #body} or {@link #noBody} authenticated for this request. */
  public static User user(RoutingContext rc) {
    User u = rc.get(USER);
    if (u == null) {
      throw new IllegalStateException("route has no Writes handler before it");
    }
    return u;
  }

  private void authenticate(RoutingContext rc, Predicate<User> allowed, Handler<RoutingContext> then) {
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
        refuse(rc, 403, "user " + ar.result().get().name() + " may not do this");
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
