package dev.cairn.frankenbuild;

import dev.cairn.attest.OutputVotes;
import dev.cairn.server.Capability;
import dev.cairn.server.ServerContext;
import dev.cairn.store.ReferenceGraph;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;

/**
 * Frankenbuild detection (issue 9): the store's references by content, the claims of other
 * content it refused or saw upstream, and builders' attestations, read together over a closure.
 * Serves {@code /api/v1/paths/…} and guards every new path (uploads and gRPC Puts) per
 * {@code cache.frankenbuild}.
 */
public final class FrankenbuildCapability implements Capability {
  private final PathRoutes routes;

  private FrankenbuildCapability(ServerContext ctx) {
    FrankenbuildMode mode = ctx.config().choice("cache.frankenbuild", FrankenbuildMode.class);
    int maxPaths = ctx.config().integer("cache.closure_check_max_paths", 1, 10_000_000);
    ClosureCheck check = new ClosureCheck(new ReferenceGraph(ctx.db()), ctx.store().conflicts(), new OutputVotes(ctx.db()), maxPaths);
    ctx.store().uploads().guard(new FrankenbuildGate(check, mode, ctx.metrics()));
    this.routes = new PathRoutes(ctx.store().pathInfos(), check);
  }

  public static Future<Capability> create(ServerContext ctx) {
    return Future.succeededFuture(new FrankenbuildCapability(ctx));
  }

  @Override
  public void routes(Router router) {
    routes.mount(router, "/api/v1");
  }
}
