package dev.cairn.store.gc;

/**
 * Running totals of one collection. Only the collection's own sequential steps update it (each
 * step starts when the previous one's future completed), so plain fields suffice.
 */
final class Freed {
  long directories;
  long blobs;
  long narCalculations;
  long chunks;
  long chunkBytes;
  long tombstonesPruned;
  /** Rows of views' metadata ({@link MetadataSweep}). */
  long metadata;
}
