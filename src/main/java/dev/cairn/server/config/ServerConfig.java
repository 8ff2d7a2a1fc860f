package dev.cairn.server.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** The foundation's settings: where to listen, where data lives, which database. */
public record ServerConfig(
    String host,
    int port,
    Duration shutdownTimeout,
    boolean requestLog,
    boolean privateReads,
    Path dataDir,
    String databaseUrl,
    int poolSize,
    int blockingPoolSize) {

  public static ServerConfig from(ConfigTree tree) {
    String host = tree.string("http.host").strip();
    if (host.isEmpty()) {
      throw new ConfigException("http.host", "must not be empty");
    }
    String url = tree.string("database.url").strip();
    if (!url.isEmpty()) {
      validateDatabaseUrl(url);
    }
    return new ServerConfig(
        host,
        tree.integer("http.port", 0, 65535),
        Duration.ofSeconds(tree.integer("http.shutdown_timeout_seconds", 0, 3600)),
        tree.bool("http.request_log"),
        tree.bool("http.private"),
        tree.path("data_dir"),
        url,
        tree.integer("database.pool_size", 1, 512),
        tree.integer("workers.blocking_pool_size", 1, 1024));
  }

  private static void validateDatabaseUrl(String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("database.url", "not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme();
    if (!"postgresql".equals(scheme) && !"postgres".equals(scheme)) {
      throw new ConfigException("database.url",
          "must be empty (SQLite under data_dir) or postgresql://user@host:5432/database (got scheme " + scheme + ")");
    }
    if (uri.getHost() == null || uri.getPath() == null || uri.getPath().length() < 2) {
      throw new ConfigException("database.url", "must name a host and a database: postgresql://user@host:5432/database");
    }
  }

  public boolean usesPostgres() {
    return !databaseUrl.isEmpty();
  }

  public Path sqliteFile() {
    return dataDir.resolve("cairn.db");
  }

  public Path blobDir() {
    return dataDir.resolve("blobs");
  }
}
