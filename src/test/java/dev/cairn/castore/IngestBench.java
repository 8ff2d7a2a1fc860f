package dev.cairn.castore;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.cairn.db.Database;
import dev.cairn.store.Store;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * For bench/castore.sh: ingest only (no render) of a NAR into a fresh store built as the server
 * builds it (CAIRN_CASTORE_BLOB_STORE as in {@link CastoreBench}), printing wall time, the
 * process's CPU time (meaningful on a loaded machine, unlike wall time) and the peak heap in use,
 * and the largest heap still in use after a collection (the live set), so that a run under
 * {@code /usr/bin/time -v} on a large NAR shows whether memory stays flat.
 * usage: IngestBench NAR DATA_DIR
 */
public final class IngestBench {
  private IngestBench() {}

  /**
   * Waits for the BLAKE3 lanes' background warm-up ({@link Blake3Lanes.Warmup}), as a running
   * server has long finished it: timed during the ingest it would take a core away from it (the
   * profile of a loaded run showed most of the process's CPU samples in that thread) and the
   * hashers would run the scalar code meanwhile.
   */
  static void awaitWarmLanes() throws InterruptedException {
    long start = System.nanoTime();
    new Blake3(); // starts the warm-up
    while (Blake3Lanes.DETECTED.lanes() != null && Blake3Lanes.ready() == null) {
      Thread.sleep(50);
    }
    System.out.printf("warm-up: BLAKE3 %s ready after %.1f s%n", Blake3.implementation(), (System.nanoTime() - start) / 1e9);
  }

  public static void main(String[] args) throws Exception {
    Path nar = Path.of(args[0]);
    Path data = Path.of(args[1]);
    Vertx vertx = Vertx.vertx();
    WorkerExecutor cpu = vertx.createSharedWorkerExecutor("bench-cpu", 8);
    try {
      Database db = CastoreBench.openDatabase(vertx, data);
      Store store = CastoreBench.openStore(vertx, db, cpu, data);
      awaitWarmLanes();
      AtomicLong liveAfterGc = new AtomicLong();
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        ((NotificationEmitter) gc).addNotificationListener((n, h) -> {
          if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()).getGcInfo();
            long used = info.getMemoryUsageAfterGc().values().stream().mapToLong(MemoryUsage::getUsed).sum();
            liveAfterGc.accumulateAndGet(used, Math::max);
          }
        }, null, null);
      }
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
      System.out.printf("ingest: %d bytes in %.2f s = %.0f MB/s, process CPU %.2f s = %.0f MB/s per CPU second,"
              + " peak heap in use %d MiB, peak live heap after GC %d MiB (root %s)%n",
          r.narSize(), s, r.narSize() / s / 1e6, cpuSeconds, r.narSize() / cpuSeconds / 1e6, peakHeap >> 20,
          liveAfterGc.get() >> 20, r.root());
      store.close().toCompletionStage().toCompletableFuture().get();
      db.close().toCompletionStage().toCompletableFuture().get();
    } finally {
      cpu.close();
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }
}
