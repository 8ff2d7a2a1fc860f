package dev.cairn.server.cli;

import dev.cairn.db.Database;
import dev.cairn.db.Databases;
import dev.cairn.server.config.ConfigTree;
import dev.cairn.server.config.ServerConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Function;

/**
 * Runs an admin command against the same database {@code serve} uses (same configuration,
 * same migrations), safely while the server runs: SQLite in WAL mode allows it, and
 * PostgreSQL is shared anyway.
 */
final class Admin {
  private Admin() {}

  static <T> T withDatabase(ConfigTree tree, Function<Database, Future<T>> work) throws Exception {
    ServerConfig config = ServerConfig.from(tree);
    Vertx vertx = Vertx.vertx();
    try {
      return Databases.open(vertx, config.databaseUrl(), config.sqliteFile(), 1)
          .compose(db -> work.apply(db).eventually(db::close))
          .toCompletionStage().toCompletableFuture().get();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }
}
