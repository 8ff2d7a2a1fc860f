package dev.cairn.server;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.grpc.server.GrpcServer;

/**
 * One part of Cairn served on the shared port (attest, castore/store, cache, registry,
 * build). A capability mounts its HTTP routes and gRPC services; handlers parse, call a
 * service and render, and never block the event loop.
 */
public interface Capability {
  /** Mounts HTTP routes. */
  default void routes(Router router) {}

  /** Registers gRPC services (served as h2c on the same port). */
  default void grpc(GrpcServer server) {}

  /** Releases what the capability opened; called once at shutdown. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
