package dev.cairn.castore;

import dev.cairn.db.Database;
import dev.cairn.db.Databases;
import dev.cairn.store.Store;
import dev.cairn.store.StoreConfig;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * For bench/castore.sh: ingest only (no render) of a NAR into a fresh store built as the server
 * builds it (CAIRN_CASTORE_BLOB_STORE as in {@link CastoreBench}), printing wall time, the
 * process's CPU time (meaningful on a loaded machine, unlike wall time) and the peak heap in use,
 * so that a run under {@code /usr/bin/time -v} shows whether the heap stays flat.
 * usage: IngestBench NAR DATA_DIR
 */
public final class IngestBench {
  private IngestBench() {}

  public static void main(String[] args) throws Exception {
    Path nar = Path.of(args[0]);
    Path data = Path.of(args[1]);
    Vertx vertx = Vertx.vertx();
    WorkerExecutor cpu = vertx.createSharedWorkerExecutor("bench-cpu", 8);
    try {
      Database db = Databases.open(vertx, "", data.resolve("cairn.db"), 4).toCompletionStage().toCompletableFuture().get();
      dev.cairn.server.config.ConfigTree tree = dev.cairn.server.config.ConfigTree.load(null,
          java.util.Map.of("CAIRN_DATA_DIR", data.toString(),
              "CAIRN_CASTORE_BLOB_STORE", System.getenv().getOrDefault("CAIRN_CASTORE_BLOB_STORE", "")));
      StoreConfig config = StoreConfig.from(tree, dev.cairn.server.config.ServerConfig.from(tree));
      Store store = Store.open(vertx, db, config, cpu).toCompletionStage().toCompletableFuture().get();
      var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long cpuStart = os.getProcessCpuTime();
      long start = System.nanoTime();
      NarIngester.Result r;
      try (InputStream in = new BufferedInputStream(Files.newInputStream(nar), 1 << 17)) {
        r = store.ingester().ingest(in);
      }
      double s = (System.nanoTime() - start) / 1e9;
      double cpuSeconds = (os.getProcessCpuTime() - cpuStart) / 1e9;
      long peakHeap = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          peakHeap += pool.getPeakUsage().getUsed();
        }
      }
      System.out.printf("ingest: %d bytes in %.2f s = %.0f MB/s, process CPU %.2f s = %.0f MB/s per CPU second, peak heap %d MiB (root %s)%n",
          r.narSize(), s, r.narSize() / s / 1e6, cpuSeconds, r.narSize() / cpuSeconds / 1e6, peakHeap >> 20, r.root());
      store.close().toCompletionStage().toCompletableFuture().get();
      db.close().toCompletionStage().toCompletableFuture().get();
    } finally {
      cpu.close();
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }
}
