package dev.cairn.grpc;

import dev.cairn.server.Capability;
import dev.cairn.server.ServerContext;
import dev.cairn.store.Store;
import io.vertx.core.Future;
import io.vertx.grpc.server.GrpcServer;

/** The store over tvix/snix-compatible gRPC on the shared port: thin wiring of {@link Store}'s services. */
public final class CastoreCapability implements Capability {
  private final Store store;
  private final GrpcAuth auth;
  private final int maxDirectoriesPerPut;

  private CastoreCapability(Store store, GrpcAuth auth, int maxDirectoriesPerPut) {
    this.store = store;
    this.auth = auth;
    this.maxDirectoriesPerPut = maxDirectoriesPerPut;
  }

  public static Future<Capability> create(ServerContext ctx) {
    return Future.succeededFuture(new CastoreCapability(ctx.store(), new GrpcAuth(ctx.users(), ctx.server().privateReads()),
        ctx.config().integer("castore.max_directories_per_put", 1, 100_000_000)));
  }

  @Override
  public void grpc(GrpcServer server) {
    new BlobGrpc(store.blobs(), auth).register(new Methods(server, "tvix.castore.v1", auth));
    new DirectoryGrpc(store.directories(), auth, maxDirectoriesPerPut).register(new Methods(server, "tvix.castore.v1", auth));
    new PathInfoGrpc(store.pathInfos(), store.uploads(), store.narCalculation(), auth).register(new Methods(server, "tvix.store.v1", auth));
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
