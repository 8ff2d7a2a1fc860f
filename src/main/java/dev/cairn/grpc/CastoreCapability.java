package dev.cairn.grpc;

import dev.cairn.server.Capability;
import dev.cairn.server.ServerContext;
import dev.cairn.store.Store;
import io.vertx.core.Future;
import io.vertx.grpc.server.GrpcServer;

/** The store over tvix/snix-compatible gRPC on the shared port: thin wiring of {@link Store}'s services. */
public final class CastoreCapability implements Capability {
  private final Store store;

  private CastoreCapability(Store store) {
    this.store = store;
  }

  public static Future<Capability> create(ServerContext ctx) {
    return Future.succeededFuture(new CastoreCapability(ctx.store()));
  }

  @Override
  public void grpc(GrpcServer server) {
    new BlobGrpc(store.blobs()).register(new Methods(server, "tvix.castore.v1"));
    new DirectoryGrpc(store.directories()).register(new Methods(server, "tvix.castore.v1"));
    new PathInfoGrpc(store.pathInfos(), store.renderer(), store.narPool()).register(new Methods(server, "tvix.store.v1"));
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
