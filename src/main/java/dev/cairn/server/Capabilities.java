package dev.cairn.server;

import io.vertx.core.Future;
import java.util.List;
import java.util.function.Function;

/** The capabilities a server runs, in mount order. Add new ones here. */
public final class Capabilities {
  private Capabilities() {}

  /** What capabilities keep about the store that a garbage collection also collects. */
  public static List<dev.cairn.store.gc.MetadataSweep> metadataSweeps(dev.cairn.db.Database db) {
    return List.of(dev.cairn.registry.RegistryCapability.gcSweep(db));
  }

  static List<Function<ServerContext, Future<Capability>>> all() {
    return List.of(dev.cairn.grpc.CastoreCapability::create, dev.cairn.attest.AttestCapability::create,
        dev.cairn.attest.queue.QueueCapability::create,
        dev.cairn.cache.CacheCapability::create, dev.cairn.frankenbuild.FrankenbuildCapability::create,
        dev.cairn.build.BuildCapability::create, dev.cairn.registry.RegistryCapability::create);
  }
}
