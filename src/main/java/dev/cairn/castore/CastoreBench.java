package dev.cairn.castore;

import dev.cairn.db.Database;
import dev.cairn.db.Databases;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * For bench/castore.sh: ingest a NAR file into a fresh embedded store and render it back,
 * printing MB/s of NAR bytes for each. usage: CastoreBench NAR DATA_DIR
 */
public final class CastoreBench {
  private CastoreBench() {}

  public static void main(String[] args) throws Exception {
    Path nar = Path.of(args[0]);
    Path data = Path.of(args[1]);
    Vertx vertx = Vertx.vertx();
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("bench-blobs", 8);
    try {
      Database db = Databases.open(vertx, "", data.resolve("cairn.db"), 4).toCompletionStage().toCompletableFuture().get();
      FsBlobService blobs = FsBlobService.create(vertx, workers, data.resolve("blobs"), FsBlobService.Options.DEFAULT)
          .toCompletionStage().toCompletableFuture().get();
      SqlDirectoryService dirs = new SqlDirectoryService(db);
      long start = System.nanoTime();
      NarIngester.Result r;
      try (InputStream in = new BufferedInputStream(Files.newInputStream(nar), 1 << 17)) {
        r = new NarIngester(blobs, dirs, DirectorySizeFormula.DEFAULT).ingest(in);
      }
      double s = (System.nanoTime() - start) / 1e9;
      System.out.printf("ingest: %d bytes in %.2f s = %.0f MB/s (root %s)%n", r.narSize(), s, r.narSize() / s / 1e6, r.root());
      start = System.nanoTime();
      try (OutputStream out = new BufferedOutputStream(OutputStream.nullOutputStream(), 1 << 17)) {
        new NarRenderer(blobs, dirs, db).render(r.root(), out);
      }
      s = (System.nanoTime() - start) / 1e9;
      System.out.printf("render: %d bytes in %.2f s = %.0f MB/s%n", r.narSize(), s, r.narSize() / s / 1e6);
      db.close().toCompletionStage().toCompletableFuture().get();
    } finally {
      workers.close();
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }
}
