package dev.cairn.build;

import dev.cairn.server.Capability;
import dev.cairn.server.ServerContext;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.grpc.server.GrpcServer;

/** Builds: DoBuild over gRPC and /api/v1/builds over HTTP, both over one {@link BuildService}. */
public final class BuildCapability implements Capability {
  private final ServerContext ctx;
  private final BuildService builds;

  private BuildCapability(ServerContext ctx, BuildService builds) {
    this.ctx = ctx;
    this.builds = builds;
  }

  public static Future<Capability> create(ServerContext ctx) {
    BuildConfig config = BuildConfig.from(ctx.config(), ctx.server());
    if (!config.enabled()) {
      return Future.succeededFuture(new Capability() {});
    }
    return BuildService.start(ctx.vertx(), config, ctx.store()).map(s -> new BuildCapability(ctx, s));
  }

  @Override
  public void routes(Router router) {
    new BuildRoutes(builds, ctx.writes(), ctx.vertx()).mount(router);
  }

  @Override
  public void grpc(GrpcServer server) {
    dev.cairn.grpc.BuildGrpc.register(server, builds, ctx.users(), ctx.server().privateReads());
  }

  @Override
  public Future<Void> close() {
    return builds.close();
  }
}
