package dev.cairn.server.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Logger;

/**
 * One log line per request: method, path, matched route, status, duration. A request whose
 * connection closed before the response ended (an aborted upload, a client that gave up) is
 * logged as {@code status=499 aborted}, not with the 200 the response object held by default.
 */
public final class RequestLog implements Handler<RoutingContext> {
  private static final Logger LOG = Logger.getLogger("cairn.http");
  /** nginx's code for "client closed the request"; never sent, only logged. */
  static final int ABORTED = 499;

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.get("cairn.logged") != null) {
      ctx.next();
      return;
    }
    ctx.put("cairn.logged", Boolean.TRUE);
    long start = System.nanoTime();
    ctx.addEndHandler(ar -> {
      Route route = ctx.currentRoute();
      String pattern = route == null || route.getPath() == null ? "-" : route.getPath();
      boolean aborted = !ctx.response().ended();
      String status = aborted ? ABORTED + " aborted" : String.valueOf(ctx.response().getStatusCode());
      LOG.info(() -> String.format("%s %s route=%s status=%s %.1fms",
          ctx.request().method(), ctx.request().path(), pattern, status, (System.nanoTime() - start) / 1e6));
    });
    ctx.next();
  }
}
