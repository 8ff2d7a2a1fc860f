package dev.cairn.store.gc;

import java.time.Duration;
import java.time.Instant;

/**
 * What one collection freed (or, in a dry run, would free): objects per kind and the stored
 * bytes of the chunks, plus how much it found reachable.
 */
public record GcReport(
    boolean dryRun,
    long startedAtMillis,
    long durationMillis,
    Duration grace,
    long reachableDirectories,
    long reachableBlobs,
    long directories,
    long blobs,
    long narCalculations,
    long chunks,
    long chunkBytes,
    long tombstonesPruned,
    long metadataRows) {

  /** Objects freed, every kind together. */
  public long objects() {
    return directories + blobs + narCalculations + chunks;
  }

  /** The lines {@code cairn gc} prints and the log records. */
  public String summary() {
    String verb = dryRun ? "would free" : "freed";
    return "garbage collection" + (dryRun ? " (dry run)" : "") + " started " + Instant.ofEpochMilli(startedAtMillis)
        + ", grace " + grace + ", took " + durationMillis + " ms\n"
        + "reachable: " + reachableDirectories + " directories, " + reachableBlobs + " blobs\n"
        + verb + ": " + directories + " directories, " + blobs + " blobs, " + narCalculations + " NAR calculations, "
        + chunks + " chunks (" + chunkBytes + " bytes), " + metadataRows + " registry metadata rows";
  }
}
