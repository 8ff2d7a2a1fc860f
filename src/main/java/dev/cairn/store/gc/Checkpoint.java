package dev.cairn.store.gc;

import io.vertx.core.Future;

/**
 * Called by a collection before each step: fails when it must stop (shutdown, or its
 * {@link GcLease} is no longer its own), which ends the run with what it did so far.
 */
@FunctionalInterface
interface Checkpoint {
  Future<Void> check();
}
