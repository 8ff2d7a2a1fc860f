package dev.cairn.castore;

import dev.cairn.db.Database;
import dev.cairn.db.Databases;
import dev.cairn.server.config.ConfigTree;
import dev.cairn.server.config.ServerConfig;
import dev.cairn.store.Store;
import dev.cairn.store.StoreConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * For bench/castore.sh: ingest a NAR file into a fresh store and render it back, printing MB/s
 * of NAR bytes for each, and the process CPU time each took (meaningful on a loaded machine).
 * The store is built the way the server builds it, on the blob store named by
 * CAIRN_CASTORE_BLOB_STORE (empty: files under DATA_DIR/blobs). Render runs are made with
 * {@code castore.verify_reads: always} (RENDERS runs), then with {@code once} on a store opened
 * afresh (RENDERS runs: the first hashes every chunk, the next ones trust the chunks verified).
 * With {@code -Dcairn.bench.jfr=PREFIX}, the renders of each mode are recorded with JFR's
 * profile settings into {@code PREFIX-always.jfr} and {@code PREFIX-once.jfr}.
 * usage: CastoreBench NAR DATA_DIR [RENDERS=2]
 */
public final class CastoreBench {
  private CastoreBench() {}

  /** The metadata database of a bench store under {@code data}. */
  static Database openDatabase(Vertx vertx, Path data) throws Exception {
    return Databases.open(vertx, "", data.resolve("cairn.db"), 4).toCompletionStage().toCompletableFuture().get();
  }

  /** A store under {@code data} built as the server builds it (default read verification), on the blob store named by CAIRN_CASTORE_BLOB_STORE. */
  static Store openStore(Vertx vertx, Database db, WorkerExecutor cpu, Path data) throws Exception {
    return open(vertx, db, data, cpu, "once");
  }

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
    int renders = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    Vertx vertx = Vertx.vertx();
    WorkerExecutor cpu = vertx.createSharedWorkerExecutor("bench-cpu", 8);
    try {
      Database db = openDatabase(vertx, data);
      Store store = open(vertx, db, data, cpu, "always");
      awaitWarmLanes();
      long start = System.nanoTime();
      long cpu0 = cpuNanos();
      NarIngester.Result r;
      try (InputStream in = new BufferedInputStream(Files.newInputStream(nar), 1 << 17)) {
        r = store.ingester().ingest(in);
      }
      report("ingest", r.narSize(), start, cpu0, " (root " + r.root() + ")");
      for (String mode : new String[] {"always", "once"}) {
        if (!mode.equals("always")) {
          await(store.close());
          store = open(vertx, db, data, cpu, mode);
        }
        String jfr = System.getProperty("cairn.bench.jfr");
        jdk.jfr.Recording recording = jfr == null ? null : new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
        if (recording != null) {
          recording.start();
        }
        for (int i = 1; i <= renders; i++) {
          start = System.nanoTime();
          cpu0 = cpuNanos();
          try (OutputStream out = new BufferedOutputStream(OutputStream.nullOutputStream(), 1 << 17)) {
            store.renderer().render(r.root(), out);
          }
          report("render " + mode + " " + i, r.narSize(), start, cpu0, "");
        }
        if (recording != null) {
          recording.dump(Path.of(jfr + "-" + mode + ".jfr"));
          recording.close();
        }
      }
      await(store.close());
      await(db.close());
    } finally {
      cpu.close();
      await(vertx.close());
    }
  }

  private static Store open(Vertx vertx, Database db, Path data, WorkerExecutor cpu, String verify) throws Exception {
    ConfigTree tree = ConfigTree.load(null, Map.of("CAIRN_DATA_DIR", data.toString(),
        "CAIRN_CASTORE_BLOB_STORE", System.getenv().getOrDefault("CAIRN_CASTORE_BLOB_STORE", ""),
        "CAIRN_CASTORE_VERIFY_READS", verify, "CAIRN_CASTORE_SCRUB_INTERVAL", ""));
    return await(Store.open(vertx, db, StoreConfig.from(tree, ServerConfig.from(tree)), cpu));
  }

  /** Prints {@code what: N bytes in S s = M MB/s, C s CPU = M MB per CPU-second}. */
  private static void report(String what, long bytes, long startNanos, long cpuStartNanos, String extra) {
    double s = (System.nanoTime() - startNanos) / 1e9;
    double c = (cpuNanos() - cpuStartNanos) / 1e9;
    System.out.printf("%s: %d bytes in %.2f s = %.0f MB/s, %.2f s CPU = %.0f MB/CPU-s%s%n",
        what, bytes, s, bytes / s / 1e6, c, bytes / c / 1e6, extra);
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get();
  }
}
