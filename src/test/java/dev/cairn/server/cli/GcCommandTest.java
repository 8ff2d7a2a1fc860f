package dev.cairn.server.cli;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.DirectoryNode;
import dev.cairn.castore.Node;
import dev.cairn.castore.chunks.ChunkStore;
import dev.cairn.db.Dialect;
import dev.cairn.nix.NarWriter;
import dev.cairn.server.TestServer;
import dev.cairn.store.PathInfo;
import dev.cairn.store.Store;
import dev.cairn.store.gc.TestPaths;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * {@code cairn gc} and its pins against the data of a running server (both dialects), and the
 * server's own scheduled collection with its metrics.
 */
class GcCommandTest {
  @TempDir
  Path dir;

  private static CliTest.Run run(String... args) {
    return CliTest.run(args);
  }

  /** A configuration file pointing the CLI at the server's database and data directory. */
  private String config(TestServer server) throws Exception {
    Path file = dir.resolve("cairn.yaml");
    Map<String, String> env = server.env();
    Files.writeString(file, "data_dir: " + env.get("CAIRN_DATA_DIR") + "\ndatabase:\n  url: \"" + env.get("CAIRN_DATABASE_URL") + "\"\n");
    return file.toString();
  }

  private Path tree(String name, int bytes, long seed) throws Exception {
    Path t = Files.createDirectories(dir.resolve(name));
    byte[] data = new byte[bytes];
    new Random(seed).nextBytes(data);
    Files.write(t.resolve("data"), data);
    Files.writeString(t.resolve("name"), name);
    return t;
  }

  private static byte[] nar(Path tree) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    NarWriter.dump(tree, out);
    return out.toByteArray();
  }

  private static byte[] rendered(Store store, Node node) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    store.renderer().render(node, out);
    return out.toByteArray();
  }

  private static int chunkCount(ChunkStore chunks) throws Exception {
    return await(chunks.list(Optional.empty(), 100_000)).size();
  }

  private static long freed(String summary, String kind) {
    Matcher m = Pattern.compile("(\\d+) " + kind).matcher(summary.lines().filter(l -> l.contains("free")).findFirst().orElseThrow());
    assertTrue(m.find(), summary);
    return Long.parseLong(m.group(1));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void gcCommandsCollectAndPinAgainstARunningServersData(Dialect dialect) throws Exception {
    try (TestServer server = TestServer.start(dialect)) {
      Store store = server.server().store();
      Path keptTree = tree("kept", 1_500_000, 1);
      Path goneTree = tree("gone", 1_500_000, 2);
      Path pinnedTree = tree("pinned", 700_000, 3);
      PathInfo kept = TestPaths.add(store, "kept", keptTree, List.of());
      PathInfo gone = TestPaths.add(store, "gone", goneTree, List.of());
      PathInfo pinned = TestPaths.add(store, "pinned", pinnedTree, List.of());
      String cfg = config(server);

      CliTest.Run pin = run("gc", "pin", "release", pinned.storePath().fullPath(), "--config", cfg);
      assertEquals(0, pin.code(), pin.err());
      assertEquals("pinned release -> " + pinned.storePath().fullPath(), pin.out().strip());
      CliTest.Run pins = run("gc", "pins", "--config", cfg);
      assertTrue(pins.out().startsWith("release\t" + pinned.storePath().fullPath() + "\t"), pins.out());
      CliTest.Run notStored = run("gc", "pin", "x", "/nix/store/" + "a".repeat(32) + "-absent", "--config", cfg);
      assertEquals(2, notStored.code());
      assertEquals("cairn: /nix/store/" + "a".repeat(32) + "-absent is not in the store", notStored.err().strip());

      TestPaths.delete(store, gone);
      TestPaths.delete(store, pinned);
      Thread.sleep(25);
      int chunksBefore = chunkCount(store.chunkStore());

      CliTest.Run dry = run("gc", "--dry-run", "--grace", "0s", "--config", cfg);
      assertEquals(0, dry.code(), dry.err());
      assertTrue(dry.out().contains("would free: 1 directories, 2 blobs"), dry.out());
      assertEquals(chunksBefore, chunkCount(store.chunkStore()), "a dry run deletes nothing");

      CliTest.Run defaultGrace = run("gc", "--config", cfg);
      assertEquals(0, defaultGrace.code(), defaultGrace.err());
      assertTrue(defaultGrace.out().contains("freed: 0 directories, 0 blobs, 0 NAR calculations, 0 chunks (0 bytes)"),
          "everything is younger than the default hour: " + defaultGrace.out());

      CliTest.Run collected = run("gc", "--grace", "0s", "--config", cfg);
      assertEquals(0, collected.code(), collected.err());
      assertEquals(1, freed(collected.out(), "directories"), collected.out());
      assertEquals(2, freed(collected.out(), "blobs"), collected.out());
      long chunks = freed(collected.out(), "chunks");
      assertTrue(chunks >= 3, collected.out());
      assertEquals(chunksBefore - chunks, chunkCount(store.chunkStore()));
      assertTrue(await(store.directories().get(((DirectoryNode) gone.node()).digest())).isEmpty());
      assertArrayEquals(nar(keptTree), rendered(store, kept.node()), "the server still serves what is kept");
      assertArrayEquals(nar(pinnedTree), rendered(store, pinned.node()), "pinned content survives");

      assertEquals(0, run("gc", "unpin", "release", "--config", cfg).code());
      CliTest.Run noSuch = run("gc", "unpin", "release", "--config", cfg);
      assertEquals(2, noSuch.code());
      assertEquals("cairn: no pin named release", noSuch.err().strip());
      CliTest.Run unpinned = run("gc", "--grace", "0s", "--config", cfg);
      assertEquals(1, freed(unpinned.out(), "directories"), unpinned.out());
      assertEquals("", run("gc", "pins", "--config", cfg).out());

      await(server.server().db().update("INSERT INTO gc_lease (id, holder, expires_at) VALUES (1, ?, ?)", "replica-b",
          System.currentTimeMillis() + 60_000));
      CliTest.Run busy = run("gc", "--grace", "0s", "--config", cfg);
      assertEquals(2, busy.code());
      assertTrue(busy.err().startsWith("cairn: another garbage collection is running (replica-b, lease until "), busy.err());
      assertEquals(0, run("gc", "--dry-run", "--config", cfg).code(), "a dry run needs no lease");

      CliTest.Run badGrace = run("gc", "--grace", "soon", "--config", cfg);
      assertEquals(2, badGrace.code());
      assertTrue(badGrace.err().contains("--grace") && badGrace.err().contains("must be a duration like 90s, 30m, 1h30m or 2d"), badGrace.err());
    }
  }

  @org.junit.jupiter.api.Test
  void everyGcCommandHasHelp() {
    for (String[] cmd : new String[][] {{"gc", "--help"}, {"gc", "pin", "--help"}, {"gc", "unpin", "--help"}, {"gc", "pins", "--help"}}) {
      CliTest.Run r = run(cmd);
      assertEquals(0, r.code(), String.join(" ", cmd));
      assertTrue(r.out().contains("Usage: cairn gc"), String.join(" ", cmd) + " printed: " + r.out() + r.err());
    }
    assertTrue(run("gc", "--help").out().contains("--dry-run"));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void theServerCollectsOnItsScheduleAndReportsTheLastRunInMetrics(Dialect dialect) throws Exception {
    // A grace period of 2 s: the runs every second must not take the kept path's blobs while it
    // is being uploaded (blobs first, then directories, then the PathInfo).
    try (TestServer server = TestServer.start(dialect, Map.of("CAIRN_CASTORE_GC_INTERVAL", "1s", "CAIRN_CASTORE_GC_GRACE", "2s"))) {
      Store store = server.server().store();
      PathInfo gone = TestPaths.add(store, "gone", tree("gone", 600_000, 4), List.of());
      Path keptTree = tree("kept", 600_000, 5);
      PathInfo kept = TestPaths.add(store, "kept", keptTree, List.of());
      B3Digest goneDir = ((DirectoryNode) gone.node()).digest();
      TestPaths.delete(store, gone);

      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      long deadline = System.currentTimeMillis() + 20_000;
      String metrics = "";
      while (await(store.directories().get(goneDir)).isPresent() || !metrics.contains("cairn_gc_freed_objects_total{kind=\"directories\"} 1.0")) {
        assertTrue(System.currentTimeMillis() < deadline, "no scheduled collection freed the deleted path in 20 s:\n" + metrics);
        Thread.sleep(200);
        metrics = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/metrics"))
            .timeout(java.time.Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
      }
      assertTrue(metrics.contains("cairn_gc_last_run_timestamp_seconds "), metrics);
      assertTrue(metrics.contains("cairn_gc_last_run_duration_seconds "), metrics);
      assertTrue(metrics.contains("cairn_gc_last_run_freed_bytes "), metrics);
      assertTrue(metrics.contains("cairn_gc_last_run_freed_objects{kind=\"chunks\"}"), metrics);
      assertTrue(metrics.contains("cairn_gc_freed_bytes_total "), metrics);
      assertTrue(Pattern.compile("cairn_gc_freed_objects_total\\{kind=\"chunks\"} [1-9]").matcher(metrics).find(), metrics);
      assertTrue(metrics.contains("cairn_gc_last_run_failed 0.0"), metrics);
      assertArrayEquals(nar(keptTree), rendered(store, kept.node()));
      assertFalse(metrics.contains("cairn_gc_last_run_timestamp_seconds NaN"), metrics);
    }
  }
}
