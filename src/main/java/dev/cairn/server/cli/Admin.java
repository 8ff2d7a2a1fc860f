package dev.cairn.server.cli;

import dev.cairn.db.Database;
import dev.cairn.db.Databases;
import dev.cairn.server.config.ConfigTree;
import dev.cairn.server.config.ServerConfig;
import dev.cairn.store.Store;
import dev.cairn.store.StoreConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.function.BiFunction;
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

  /**
   * As {@link #withDatabase}, with the {@link Store} built as {@code serve} builds it (same
   * chunk store, same pools from the same keys), for commands that read or delete content.
   */
  static <T> T withStore(ConfigTree tree, BiFunction<Database, Store, Future<T>> work) throws Exception {
    ServerConfig config = ServerConfig.from(tree);
    StoreConfig storeConfig = StoreConfig.from(tree, config);
    Vertx vertx = Vertx.vertx();
    try {
      WorkerExecutor blocking = vertx.createSharedWorkerExecutor("cairn-blocking", config.blockingPoolSize());
      return Databases.open(vertx, config.databaseUrl(), config.sqliteFile(), 2)
          .compose(db -> Store.open(vertx, db, storeConfig, blocking)
              .compose(store -> work.apply(db, store).eventually(store::close))
              .eventually(db::close))
          .eventually(blocking::close)
          .toCompletionStage().toCompletableFuture().get();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }
}
