package dev.cairn.store.gc;

import dev.cairn.server.config.ConfigTree;
import java.time.Duration;
import java.util.Optional;

/** Keys {@code castore.gc.interval} (empty = no scheduled runs) and {@code castore.gc.grace}. */
public record GcConfig(Optional<Duration> interval, Duration grace) {
  public static GcConfig from(ConfigTree tree) {
    Duration grace = tree.duration("castore.gc.grace");
    if (tree.string("castore.gc.interval").isBlank()) {
      return new GcConfig(Optional.empty(), grace);
    }
    Duration interval = tree.duration("castore.gc.interval");
    if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new dev.cairn.server.config.ConfigException("castore.gc.interval", "must be empty (off) or at least 1s (got " + interval + ")");
    }
    return new GcConfig(Optional.of(interval), grace);
  }
}
