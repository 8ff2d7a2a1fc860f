package dev.cairn.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/** Opens the configured database and brings its schema up to date. */
public final class Databases {
  private Databases() {}

  /**
   * {@code url} empty means the embedded SQLite file {@code sqliteFile}; otherwise a
   * {@code postgresql://} URL. The future fails with a one-line reason if the database
   * cannot be reached or its schema is newer than this code.
   */
  public static Future<Database> open(Vertx vertx, String url, Path sqliteFile, int poolSize) {
    Database db;
    if (url.isEmpty()) {
      try {
        db = SqliteDatabase.open(vertx, sqliteFile, poolSize);
      } catch (java.sql.SQLException e) {
        return Future.failedFuture(new DatabaseUnavailableException("cannot open SQLite file " + sqliteFile + ": " + e.getMessage(), e));
      }
    } else {
      db = PgDatabase.open(vertx, url, poolSize);
    }
    Database opened = db;
    return db.ping()
        .recover(e -> opened.close().transform(x -> Future.failedFuture(
            new DatabaseUnavailableException("cannot reach " + redact(url) + ": " + e.getMessage(), e))))
        .compose(v -> Migrations.apply(opened)
            .recover(e -> opened.close().transform(x -> Future.failedFuture(e))))
        .map(version -> opened);
  }

  /** The URL without its password, for messages. */
  public static String redact(String url) {
    return url.replaceAll("://([^:@/]+):[^@/]*@", "://$1:***@");
  }
}
