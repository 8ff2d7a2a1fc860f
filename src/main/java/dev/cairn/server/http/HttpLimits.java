package dev.cairn.server.http;

import dev.cairn.server.config.ConfigTree;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How much one HTTP port lets its clients hold: connections, time before a request's headers
 * and body must have arrived, idle time, and body bytes kept in memory at once. Each bound is a
 * {@code http.*} key in conf/cairn.yaml; SECURITY.md ("Resource limits") lists them.
 */
public record HttpLimits(
    int maxConnections,
    Duration idleTimeout,
    Duration headerTimeout,
    Duration bodyTimeout,
    long maxBodyBytesInFlight,
    long bodySpoolThresholdBytes,
    Path spoolDir) {

  public static HttpLimits from(ConfigTree tree, Path dataDir) {
    return new HttpLimits(
        tree.integer("http.max_connections", 1, 1_000_000),
        Duration.ofSeconds(tree.integer("http.idle_timeout_seconds", 1, 86_400)),
        Duration.ofSeconds(tree.integer("http.header_timeout_seconds", 1, 3_600)),
        Duration.ofSeconds(tree.integer("http.body_timeout_seconds", 1, 86_400)),
        tree.longValue("http.max_body_bytes_in_flight", 1L << 20, 1L << 40),
        tree.longValue("http.body_spool_threshold_bytes", 0, 1L << 40),
        dataDir.resolve("tmp").resolve("bodies"));
  }
}
