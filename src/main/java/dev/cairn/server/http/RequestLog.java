package dev.cairn.server.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Logger;

/** One log line per request: method, path, matched route, status, duration. */
public final class RequestLog implements Handler<RoutingContext> {
  private static final Logger LOG = Logger.getLogger("cairn.http");

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addEndHandler(v -> {
      Route route = ctx.currentRoute();
      String pattern = route == null || route.getPath() == null ? "-" : route.getPath();
      LOG.info(() -> String.format("%s %s route=%s status=%d %.1fms",
          ctx.request().method(), ctx.request().path(), pattern, ctx.response().getStatusCode(),
          (System.nanoTime() - start) / 1e6));
    });
    ctx.next();
  }
}
