package dev.cairn.castore;

import dev.cairn.db.Database;
import dev.cairn.db.Databases;
import dev.cairn.store.Store;
import dev.cairn.store.StoreConfig;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * For bench/castore.sh: ingest a NAR file into a fresh store and render it back, printing MB/s
 * of NAR bytes for each. The store is built the way the server builds it, on the blob store
 * named by CAIRN_CASTORE_BLOB_STORE (empty: files under DATA_DIR/blobs).
 * usage: CastoreBench NAR DATA_DIR
 */
public final class CastoreBench {
  private CastoreBench() {}

  /** The metadata database of a bench store under {@code data}. */
  static Database openDatabase(Vertx vertx, Path data) throws Exception {
    return Databases.open(vertx, "", data.resolve("cairn.db"), 4).toCompletionStage().toCompletableFuture().get();
  }

  /** A store under {@code data} built as the server builds it, on the blob store named by CAIRN_CASTORE_BLOB_STORE. */
  static Store openStore(Vertx vertx, Database db, WorkerExecutor cpu, Path data) throws Exception {
    dev.cairn.server.config.ConfigTree tree = dev.cairn.server.config.ConfigTree.load(null,
        java.util.Map.of("CAIRN_DATA_DIR", data.toString(),
            "CAIRN_CASTORE_BLOB_STORE", System.getenv().getOrDefault("CAIRN_CASTORE_BLOB_STORE", "")));
    StoreConfig config = StoreConfig.from(tree, dev.cairn.server.config.ServerConfig.from(tree));
    return Store.open(vertx, db, config, cpu).toCompletionStage().toCompletableFuture().get();
  }

  public static void main(String[] args) throws Exception {
    Path nar = Path.of(args[0]);
    Path data = Path.of(args[1]);
    Vertx vertx = Vertx.vertx();
    WorkerExecutor cpu = vertx.createSharedWorkerExecutor("bench-cpu", 8);
    try {
      Database db = openDatabase(vertx, data);
      Store store = openStore(vertx, db, cpu, data);
      IngestBench.awaitWarmLanes();
      long start = System.nanoTime();
      NarIngester.Result r;
      try (InputStream in = new BufferedInputStream(Files.newInputStream(nar), 1 << 17)) {
        r = store.ingester().ingest(in);
      }
      double s = (System.nanoTime() - start) / 1e9;
      System.out.printf("ingest: %d bytes in %.2f s = %.0f MB/s (root %s)%n", r.narSize(), s, r.narSize() / s / 1e6, r.root());
      start = System.nanoTime();
      try (OutputStream out = new BufferedOutputStream(OutputStream.nullOutputStream(), 1 << 17)) {
        store.renderer().render(r.root(), out);
      }
      s = (System.nanoTime() - start) / 1e9;
      System.out.printf("render: %d bytes in %.2f s = %.0f MB/s%n", r.narSize(), s, r.narSize() / s / 1e6);
      store.close().toCompletionStage().toCompletableFuture().get();
      db.close().toCompletionStage().toCompletableFuture().get();
    } finally {
      cpu.close();
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }
}
