package dev.cairn.server;

import io.vertx.core.Future;
import java.util.List;
import java.util.function.Function;

/** The capabilities a server runs, in mount order. Add new ones here. */
final class Capabilities {
  private Capabilities() {}

  static List<Function<ServerContext, Future<Capability>>> all() {
    return List.of(dev.cairn.grpc.CastoreCapability::create, dev.cairn.attest.AttestCapability::create,
        dev.cairn.attest.queue.QueueCapability::create,
        dev.cairn.cache.CacheCapability::create);
  }
}
