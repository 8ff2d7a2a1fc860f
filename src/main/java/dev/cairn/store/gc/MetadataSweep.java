package dev.cairn.store.gc;

import io.vertx.core.Future;

/**
 * Metadata a view keeps about the store (the registry's layer index and documents) that is not
 * content and not a root: collected after the store's own sweeps, under the same lease and grace.
 */
public interface MetadataSweep {
  /**
   * Deletes (or, on a dry run, counts) the rows nothing needs any more and that are older than
   * {@code cutoff} (epoch ms); answers how many.
   */
  Future<Long> sweep(long cutoff, boolean dryRun);
}
