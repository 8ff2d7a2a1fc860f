package dev.cairn.attest.queue;

import dev.cairn.server.Capability;
import dev.cairn.server.ServerContext;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;

/** The leased rebuild queue at /api/v1/queue. */
public final class QueueCapability implements Capability {
  private final QueueRoutes routes;

  private QueueCapability(ServerContext ctx) {
    long lease = ctx.config().longValue("attest.queue_lease_seconds", 1, 86_400) * 1000;
    this.routes = new QueueRoutes(new RebuildQueue(ctx.db(), lease), ctx.writes());
  }

  public static Future<Capability> create(ServerContext ctx) {
    return Future.succeededFuture(new QueueCapability(ctx));
  }

  @Override
  public void routes(Router router) {
    routes.mount(router, "/api/v1/queue");
  }
}
