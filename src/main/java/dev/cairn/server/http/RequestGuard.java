package dev.cairn.server.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Logger;

/**
 * Per-request limits every route gets, whatever it does with the body: the header clock of
 * its connection stops when the request arrives and restarts after the response
 * ({@link HeaderDeadline}), and a request body must have arrived completely within {@code
 * http.body_timeout_seconds} (408 otherwise). gRPC streams are long-lived by design and are
 * bounded by the idle timeout instead.
 */
public final class RequestGuard {
  private static final Logger LOG = Logger.getLogger("cairn.http");
  private final Vertx vertx;
  private final long bodyTimeoutMillis;

  public RequestGuard(Vertx vertx, HttpLimits limits) {
    this.vertx = vertx;
    this.bodyTimeoutMillis = limits.bodyTimeout().toMillis();
  }

  /** Called first for every request (HTTP and gRPC), on its connection's event loop. */
  public void arrived(HttpServerRequest request) {
    HeaderDeadline deadline = HeaderDeadline.of(request.connection());
    if (deadline != null) {
      deadline.requestStarted(request.version() == HttpVersion.HTTP_2);
    }
  }

  /**
   * Refuses, with a JSON 400, a request target the router cannot route: {@code OPTIONS *},
   * other targets that are not a path, and malformed percent-encoding ({@code /%zz}). True when
   * the request may go on.
   */
  public boolean acceptsTarget(HttpServerRequest request) {
    String path = request.path();
    String problem = null;
    if (path == null || !path.startsWith("/")) {
      problem = "request target: must be a path starting with / (got " + abbreviate(request.uri()) + ")";
    } else if (BAD_ESCAPE.matcher(request.uri()).find()) {
      problem = "request target: % must be followed by two hexadecimal digits";
    }
    if (problem == null) {
      return true;
    }
    if (request.isEnded()) {
      JsonError.send(request.response(), 400, problem);
    } else {
      JsonError.sendAndClose(request, 400, problem);
    }
    return false;
  }

  private static final java.util.regex.Pattern BAD_ESCAPE = java.util.regex.Pattern.compile("%(?![0-9A-Fa-f]{2})");

  private static String abbreviate(String s) {
    return s == null ? "nothing" : s.length() > 100 ? s.substring(0, 100) + "…" : s;
  }

  /** The router's first handler: times the body and re-arms the header clock after the response. */
  public Handler<RoutingContext> routeHandler() {
    return rc -> {
      HttpServerRequest request = rc.request();
      if (rc.get("cairn.guarded") != null) {
        // A re-route (HEAD served by a GET route) runs the router's handlers again.
        rc.next();
        return;
      }
      rc.put("cairn.guarded", Boolean.TRUE);
      long timer = vertx.setTimer(bodyTimeoutMillis, t -> bodyTimedOut(rc));
      HeaderDeadline deadline = HeaderDeadline.of(request.connection());
      rc.addEndHandler(ar -> {
        vertx.cancelTimer(timer);
        if (deadline != null) {
          deadline.responseEnded();
        }
      });
      rc.next();
    };
  }

  private void bodyTimedOut(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    if (request.isEnded() || rc.response().ended()) {
      return;
    }
    LOG.info(() -> "closing " + request.method() + " " + request.path() + ": body not received within " + bodyTimeoutMillis / 1000
        + " s (http.body_timeout_seconds)");
    if (!rc.response().headWritten()) {
      JsonError.sendAndClose(request, 408,
          "body: not received within " + bodyTimeoutMillis / 1000 + " seconds (http.body_timeout_seconds)");
    } else if (request.version() != HttpVersion.HTTP_2) {
      request.connection().close();
    } else {
      rc.response().reset();
    }
  }

  /**
   * The router's catch-all: a HEAD whose path no route serves is answered like the GET on
   * that path, without the body (Vert.x leaves the body out of HEAD responses, keeping
   * Content-Length); anything else unmatched is 404.
   */
  public static void notFound(RoutingContext rc) {
    if (rc.request().method() == HttpMethod.HEAD && rc.get("cairn.headAsGet") == null) {
      rc.put("cairn.headAsGet", Boolean.TRUE);
      rc.reroute(HttpMethod.GET, rc.request().uri());
      return;
    }
    JsonError.send(rc.response(), 404, "Not Found");
  }
}
