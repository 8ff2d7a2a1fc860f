package dev.cairn.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A fresh, migrated database of either dialect for one test class: a temporary SQLite
 * file, or a new PostgreSQL database on the real server (CAIRN_TEST_PG_URL, default
 * postgresql://postgres@127.0.0.1:5432/postgres) that {@link #close} drops again.
 */
public final class TestDatabase implements AutoCloseable {
  public static final String ADMIN_URL =
      System.getenv().getOrDefault("CAIRN_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres");

  private final Vertx vertx;
  private final Dialect dialect;
  private final Database db;
  private final String url;
  private final Path dir;
  private final String pgName;

  private TestDatabase(Vertx vertx, Dialect dialect, Database db, String url, Path dir, String pgName) {
    this.vertx = vertx;
    this.dialect = dialect;
    this.db = db;
    this.url = url;
    this.dir = dir;
    this.pgName = pgName;
  }

  public static Stream<Dialect> dialects() {
    return Stream.of(Dialect.SQLITE, Dialect.POSTGRESQL);
  }

  public static TestDatabase create(Vertx vertx, Dialect dialect) throws Exception {
    Path dir = Files.createTempDirectory("cairn-db-");
    if (dialect == Dialect.SQLITE) {
      Database db = await(Databases.open(vertx, "", dir.resolve("cairn.db"), 4));
      return new TestDatabase(vertx, dialect, db, "", dir, null);
    }
    String name = "cairn_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    adminStatement(vertx, "CREATE DATABASE " + name);
    String url = ADMIN_URL.replaceFirst("/[^/?]*(\\?.*)?$", "/" + name);
    Database db = await(Databases.open(vertx, url, dir.resolve("unused.db"), 4));
    return new TestDatabase(vertx, dialect, db, url, dir, name);
  }

  private static void adminStatement(Vertx vertx, String sql) throws Exception {
    PgDatabase admin = PgDatabase.open(vertx, ADMIN_URL, 1);
    try {
      await(admin.query(sql));
    } finally {
      await(admin.close());
    }
  }

  public Database db() {
    return db;
  }

  public Dialect dialect() {
    return dialect;
  }

  /** The database URL ("" for SQLite) and data directory, to start a server on this database. */
  public String url() {
    return url;
  }

  public Path dataDir() {
    return dir;
  }

  @Override
  public void close() throws Exception {
    await(db.close());
    if (pgName != null) {
      adminStatement(vertx, "DROP DATABASE IF EXISTS " + pgName + " WITH (FORCE)");
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  public static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
