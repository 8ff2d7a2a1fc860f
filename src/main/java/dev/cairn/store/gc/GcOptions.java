package dev.cairn.store.gc;

import java.time.Duration;

/**
 * One collection's settings. {@code grace}: nothing written more recently than this is
 * collected (directories and blobs by their creation time, refreshed when re-put; chunks by
 * their store's modification time). {@code dryRun}: count what would be freed, delete nothing.
 */
public record GcOptions(Duration grace, boolean dryRun) {
  public static final Duration DEFAULT_GRACE = Duration.ofHours(1);

  public GcOptions {
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace period must not be negative: " + grace);
    }
  }
}
