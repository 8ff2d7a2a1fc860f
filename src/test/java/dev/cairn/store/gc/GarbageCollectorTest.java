package dev.cairn.store.gc;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.BlobBackend;
import dev.cairn.castore.BlobReader;
import dev.cairn.castore.BlobStat;
import dev.cairn.castore.BlobWriter;
import dev.cairn.castore.CastoreFixture;
import dev.cairn.castore.ChunkMeta;
import dev.cairn.castore.Directory;
import dev.cairn.castore.DirectoryNode;
import dev.cairn.castore.FileNode;
import dev.cairn.castore.Node;
import dev.cairn.castore.PathComponent;
import dev.cairn.castore.chunked.ChunkCollectedException;
import dev.cairn.castore.chunks.ChunkStore;
import dev.cairn.nix.NarWriter;
import dev.cairn.nix.StorePath;
import dev.cairn.store.PathInfo;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Collection over a real Store (database of each dialect, every chunk store backend). */
class GarbageCollectorTest {
  private static final GcOptions NOW = new GcOptions(Duration.ZERO, false);
  private static final GcOptions NOW_DRY = new GcOptions(Duration.ZERO, true);
  private static final GcOptions DEFAULT = new GcOptions(GcOptions.DEFAULT_GRACE, false);

  static List<BlobBackend> backends() {
    return BlobBackend.all().toList();
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** A directory tree of the given files (names may contain one level of subdirectory). */
  private static Path tree(Map<String, byte[]> files) throws Exception {
    Path dir = Files.createTempDirectory("gc-tree");
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      Path file = dir.resolve(e.getKey());
      Files.createDirectories(file.getParent());
      Files.write(file, e.getValue());
    }
    return dir;
  }

  private static byte[] nar(Path dir) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    NarWriter.dump(dir, out);
    return out.toByteArray();
  }

  private static byte[] rendered(CastoreFixture f, Node node) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    f.renderer.render(node, out);
    return out.toByteArray();
  }

  private static Set<B3Digest> storedChunks(ChunkStore chunks) throws Exception {
    Set<B3Digest> out = new HashSet<>();
    Optional<B3Digest> after = Optional.empty();
    while (true) {
      List<ChunkStore.Listed> page = await(chunks.list(after, 1000));
      page.forEach(c -> out.add(c.digest()));
      if (page.size() < 1000) {
        return out;
      }
      after = Optional.of(page.get(page.size() - 1).digest());
    }
  }

  /** The chunks of a blob as the index lists them (a blob of one chunk is that chunk). */
  private static Set<B3Digest> chunksOf(CastoreFixture f, B3Digest blob) throws Exception {
    BlobStat stat = await(f.blobs.stat(blob)).orElseThrow();
    Set<B3Digest> out = new HashSet<>();
    if (stat.chunks().isEmpty()) {
      out.add(blob);
    }
    stat.chunks().stream().map(ChunkMeta::digest).forEach(out::add);
    return out;
  }

  private static B3Digest fileDigest(CastoreFixture f, PathInfo info, String name) throws Exception {
    DirectoryNode root = (DirectoryNode) info.node();
    Directory dir = await(f.directories.get(root.digest())).orElseThrow();
    for (FileNode file : dir.files()) {
      if (file.name().equals(PathComponent.of(name.getBytes()))) {
        return file.digest();
      }
    }
    throw new AssertionError("no file " + name);
  }

  private static byte[] readAll(CastoreFixture f, B3Digest blob) throws Exception {
    BlobReader r = await(f.blobs.open(blob)).orElseThrow();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      while (r.remaining() > 0) {
        out.write(await(r.read(1 << 20)).getBytes());
      }
    } finally {
      r.close();
    }
    return out.toByteArray();
  }

  private static long count(CastoreFixture f, String sql, Object... params) throws Exception {
    return await(f.database.db().query(sql, params)).get(0).getLong("n");
  }

  /** Chunk files get the time of their write; a zero grace period collects what is older than the run's start. */
  private static void tick() throws InterruptedException {
    Thread.sleep(25);
  }

  private static B3Digest putBlob(CastoreFixture f, byte[] data) throws Exception {
    BlobWriter w = f.blobs.put();
    await(w.write(Buffer.buffer(data)));
    return await(w.close());
  }

  @ParameterizedTest
  @MethodSource("backends")
  void deletingAPathFreesItsUniqueChunksAndKeepsSharedOnes(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      byte[] shared = random(3 << 20, 1);
      Map<String, byte[]> aFiles = new LinkedHashMap<>();
      aFiles.put("shared", shared);
      aFiles.put("only-a", random(2 << 20, 2));
      aFiles.put("sub/small-a", "a small file of a".getBytes());
      Map<String, byte[]> bFiles = new LinkedHashMap<>();
      bFiles.put("shared", shared);
      bFiles.put("only-b", random(2 << 20, 3));
      Path bDir = tree(bFiles);
      PathInfo a = TestPaths.add(f.store, "a", tree(aFiles), List.of());
      PathInfo b = TestPaths.add(f.store, "b", bDir, List.of());
      TestPaths.calculateNar(f.store, a);
      Set<B3Digest> sharedChunks = chunksOf(f, fileDigest(f, a, "shared"));
      Set<B3Digest> onlyA = chunksOf(f, fileDigest(f, a, "only-a"));
      assertTrue(sharedChunks.size() >= 3, "a 3 MiB blob is several chunks");
      long directoriesBefore = count(f, "SELECT COUNT(*) AS n FROM directories");

      GcReport nothing = await(GarbageCollector.of(f.database.db(), f.store, java.util.List.of()).run(NOW));
      assertEquals(0, nothing.objects(), "everything is reachable: " + nothing.summary());

      assertTrue(TestPaths.delete(f.store, a));
      tick();
      GcReport report = await(GarbageCollector.of(f.database.db(), f.store, java.util.List.of()).run(NOW));

      assertEquals(2, report.directories(), "a's root and its sub/: " + report.summary());
      assertEquals(2, report.blobs(), "only-a and sub/small-a; shared stays: " + report.summary());
      assertEquals(onlyA.size() + 1, report.chunks(), report.summary());
      assertTrue(report.chunkBytes() >= 2 << 20, report.summary());
      assertEquals(1, report.narCalculations(), "the NAR calculation cached for a's root");
      assertEquals(directoriesBefore - 2, count(f, "SELECT COUNT(*) AS n FROM directories"));
      assertEquals(0, count(f, "SELECT COUNT(*) AS n FROM nar_calculations"));

      Set<B3Digest> stored = storedChunks(f.chunks);
      for (B3Digest c : onlyA) {
        assertFalse(stored.contains(c), "a's own chunk " + c + " is deleted");
        assertFalse(await(f.chunks.has(c)));
      }
      assertTrue(stored.containsAll(sharedChunks), "chunks shared with b stay");
      Set<B3Digest> referenced = new HashSet<>();
      for (var r : await(f.database.db().query("SELECT chunk_digest FROM blob_chunks"))) {
        referenced.add(B3Digest.of(r.bytes("chunk_digest")));
      }
      assertEquals(referenced, stored, "the chunk store holds exactly the referenced chunks");
      assertArrayEquals(nar(bDir), rendered(f, b.node()), "b reads back byte for byte");
      assertArrayEquals(shared, readAll(f, fileDigest(f, b, "shared")));

      GcReport again = await(GarbageCollector.of(f.database.db(), f.store, java.util.List.of()).run(NOW));
      assertEquals(0, again.objects(), "a second run finds nothing: " + again.summary());
    }
  }

  @ParameterizedTest
  @MethodSource("backends")
  void pinnedContentSurvivesTheDeletionOfItsPathInfo(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      Path dir = tree(Map.of("big", random(2 << 20, 10), "small", "pinned".getBytes()));
      PathInfo a = TestPaths.add(f.store, "pinned", dir, List.of());
      Pins pins = new Pins(f.database.db(), f.store.pathInfos());
      await(pins.pin("release-1", a.storePath()));
      assertEquals(List.of("release-1"), await(pins.list()).stream().map(Pins.Pin::name).toList());
      assertEquals(a.storePath(), await(pins.list()).get(0).storePath());
      TestPaths.delete(f.store, a);
      tick();

      GcReport kept = await(GarbageCollector.of(f.database.db(), f.store, java.util.List.of()).run(NOW));
      assertEquals(0, kept.objects(), kept.summary());
      assertArrayEquals(nar(dir), rendered(f, a.node()), "the pinned content reads back byte for byte");

      assertTrue(await(pins.unpin("release-1")));
      assertFalse(await(pins.unpin("release-1")));
      GcReport freed = await(GarbageCollector.of(f.database.db(), f.store, java.util.List.of()).run(NOW));
      assertEquals(1, freed.directories(), freed.summary());
      assertEquals(2, freed.blobs(), freed.summary());
      assertTrue(freed.chunks() >= 3, freed.summary());
      assertTrue(await(f.directories.get(((DirectoryNode) a.node()).digest())).isEmpty());
    }
  }

  @ParameterizedTest
  @MethodSource("backends")
  void pinningRefusesBadNamesAndPathsNotInTheStore(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      Pins pins = new Pins(f.database.db(), f.store.pathInfos());
      PathInfo a = TestPaths.add(f.store, "p", tree(Map.of("f", "x".getBytes())), List.of());
      ExecutionException badName = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> await(pins.pin("no spaces", a.storePath())));
      assertInstanceOf(IllegalArgumentException.class, badName.getCause());
      StorePath absent = TestPaths.storePath("absent");
      ExecutionException missing = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> await(pins.pin("x", absent)));
      assertEquals(absent.fullPath() + " is not in the store", missing.getCause().getMessage());
    }
  }

  @ParameterizedTest
  @MethodSource("backends")
  void aDryRunCountsWhatARunFreesAndDeletesNothing(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      byte[] shared = random(2 << 20, 20);
      PathInfo a = TestPaths.add(f.store, "a", tree(Map.of("shared", shared, "mine", random(3 << 20, 21))), List.of());
      TestPaths.add(f.store, "b", tree(Map.of("shared", shared)), List.of());
      TestPaths.delete(f.store, a);
      tick();
      Set<B3Digest> before = storedChunks(f.chunks);
      long blobsBefore = count(f, "SELECT COUNT(*) AS n FROM blobs");

      GcReport dry = await(GarbageCollector.of(f.database.db(), f.store, java.util.List.of()).run(NOW_DRY));
      assertTrue(dry.dryRun());
      assertEquals(1, dry.directories(), dry.summary());
      assertEquals(1, dry.blobs(), dry.summary());
      assertTrue(dry.chunks() >= 3, dry.summary());
      assertTrue(dry.summary().contains("would free"), dry.summary());
      assertEquals(before, storedChunks(f.chunks), "no chunk deleted");
      assertEquals(blobsBefore, count(f, "SELECT COUNT(*) AS n FROM blobs"));
      assertEquals(0, count(f, "SELECT COUNT(*) AS n FROM gc_tombstones"), "no tombstone written");
      assertTrue(await(f.directories.get(((DirectoryNode) a.node()).digest())).isPresent());

      GcReport real = await(GarbageCollector.of(f.database.db(), f.store, java.util.List.of()).run(NOW));
      assertEquals(List.of(dry.directories(), dry.blobs(), dry.chunks(), dry.chunkBytes()),
          List.of(real.directories(), real.blobs(), real.chunks(), real.chunkBytes()), "the dry run predicted the run");
    }
  }

  @ParameterizedTest
  @MethodSource("backends")
  void nothingYoungerThanTheGracePeriodIsCollectedNorAnUploadInFlight(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      Path dir = tree(Map.of("f", random(2 << 20, 30)));
      PathInfo a = TestPaths.add(f.store, "a", dir, List.of());
      TestPaths.delete(f.store, a);
      byte[] data = random(3 << 20, 31);
      BlobWriter upload = f.blobs.put();
      // Counted before the write: its first chunk may be stored by the time the write completes.
      int storedBefore = storedChunks(f.chunks).size();
      await(upload.write(Buffer.buffer(data).slice(0, 2 << 20)));
      waitForChunks(f.chunks, storedBefore + 1);

      GcReport report = await(GarbageCollector.of(f.database.db(), f.store, java.util.List.of()).run(DEFAULT));
      assertEquals(0, report.objects(), "all of it is younger than an hour: " + report.summary());

      await(upload.write(Buffer.buffer(data).slice(2 << 20, data.length)));
      B3Digest digest = await(upload.close());
      assertArrayEquals(data, readAll(f, digest), "the upload completed intact");
      assertArrayEquals(nar(dir), rendered(f, a.node()), "the deleted path's young content is still whole");
    }
  }

  /**
   * Waits until the chunk store lists at least {@code n} chunks (an upload stores chunks in the
   * background). Not a speed assertion: the bound only keeps a broken upload from hanging the run,
   * and is generous because CI shares two cores with PostgreSQL, s3proxy and the other tests.
   */
  private static void waitForChunks(ChunkStore chunks, int n) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (storedChunks(chunks).size() < n) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("the upload stored no chunk in 60 s (" + storedChunks(chunks).size() + " of " + n + " listed)");
      }
      Thread.sleep(10);
    }
  }

  @ParameterizedTest
  @MethodSource("backends")
  void anUploadWhoseNewChunksAZeroGraceRunDeletesFailsRetryablyAndSucceedsAgain(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      byte[] data = random(3 << 20, 40);
      BlobWriter upload = f.blobs.put();
      await(upload.write(Buffer.buffer(data).slice(0, 2 << 20)));
      waitForChunks(f.chunks, 1);
      tick();

      GcReport report = await(GarbageCollector.of(f.database.db(), f.store, java.util.List.of()).run(NOW));
      assertTrue(report.chunks() >= 1, "the upload's chunks are unreferenced and older than zero: " + report.summary());

      await(upload.write(Buffer.buffer(data).slice(2 << 20, data.length)));
      ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> await(upload.close()));
      assertInstanceOf(ChunkCollectedException.class, refused.getCause(), "refused, not a blob with a missing chunk");
      assertEquals(0, count(f, "SELECT COUNT(*) AS n FROM blobs"), "nothing was made visible");

      B3Digest digest = putBlob(f, data);
      assertArrayEquals(data, readAll(f, digest), "uploading again succeeds");
    }
  }

  @ParameterizedTest
  @MethodSource("backends")
  void aReusedChunkCollectedMidUploadRefusesTheCommit(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      byte[] data = random(3 << 20, 50);
      B3Digest old = putBlob(f, data); // stored, referenced by no path: garbage once older than the grace period
      Set<B3Digest> oldChunks = chunksOf(f, old);
      BlobWriter upload = f.blobs.put();
      await(upload.write(Buffer.buffer(data).slice(0, (5 << 20) / 2)));
      Thread.sleep(200); // its first chunks are found stored ("reused") meanwhile
      tick();

      GcReport report = await(GarbageCollector.of(f.database.db(), f.store, java.util.List.of()).run(NOW));
      assertEquals(1, report.blobs(), report.summary());
      assertEquals(oldChunks.size(), report.chunks(), report.summary());

      await(upload.write(Buffer.buffer(data).slice((5 << 20) / 2, data.length)));
      ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> await(upload.close()));
      assertInstanceOf(ChunkCollectedException.class, refused.getCause());
      assertFalse(await(f.blobs.has(old)), "no blob with a missing chunk became visible");

      assertEquals(old, putBlob(f, data));
      assertArrayEquals(data, readAll(f, old), "uploading again stores the chunks anew");
    }
  }

  @ParameterizedTest
  @MethodSource("backends")
  void aCollectionFinishesTheDeletesACrashedOneLeftAndUploadsWaitForIt(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      byte[] data = random(200_000, 60);
      B3Digest blob = putBlob(f, data);
      Set<B3Digest> chunks = chunksOf(f, blob);
      await(f.database.db().update("DELETE FROM blob_chunks"));
      await(f.database.db().update("DELETE FROM blobs"));
      // A collection crashed after writing its tombstones, before deleting the chunks.
      for (B3Digest c : chunks) {
        await(f.database.db().update("INSERT INTO gc_tombstones (chunk_digest, deleting_at, deleted) VALUES (?, ?, 0)",
            c.bytes(), System.currentTimeMillis()));
      }
      ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> putBlob(f, data));
      assertInstanceOf(ChunkCollectedException.class, refused.getCause(), "an upload reusing a chunk being deleted is refused");

      GcReport report = await(GarbageCollector.of(f.database.db(), f.store, java.util.List.of()).run(DEFAULT));
      assertEquals(chunks.size(), report.chunks(), "finished whatever the grace period: " + report.summary());
      for (B3Digest c : chunks) {
        assertFalse(await(f.chunks.has(c)));
      }
      assertEquals(chunks.size(), count(f, "SELECT COUNT(*) AS n FROM gc_tombstones WHERE deleted = 1"));
      assertEquals(blob, putBlob(f, data), "once deleted, uploading stores the chunks anew");
      assertArrayEquals(data, readAll(f, blob));
    }
  }

  @ParameterizedTest
  @MethodSource("backends")
  void aDeletedPathsContentStaysWhileAPathReferencingItExists(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      Path depDir = tree(Map.of("lib", random(300_000, 70)));
      PathInfo dep = TestPaths.add(f.store, "dep", depDir, List.of());
      PathInfo top = TestPaths.add(f.store, "top", tree(Map.of("bin", random(100_000, 71))), List.of(dep.storePath()));
      TestPaths.delete(f.store, dep);
      tick();
      GcReport kept = await(GarbageCollector.of(f.database.db(), f.store, java.util.List.of()).run(NOW));
      assertEquals(0, kept.objects(), "top's closure stays whole: " + kept.summary());
      assertArrayEquals(nar(depDir), rendered(f, dep.node()));

      TestPaths.delete(f.store, top);
      GcReport freed = await(GarbageCollector.of(f.database.db(), f.store, java.util.List.of()).run(NOW));
      assertEquals(2, freed.directories(), freed.summary());
      assertEquals(2, freed.blobs(), freed.summary());
      assertEquals(0, storedChunks(f.chunks).size(), "nothing is left");
    }
  }

  /**
   * Two collectors with no grace period (two replicas) run back to back while blobs that share
   * most of their chunks are uploaded. Uploads may be refused (and are retried), a collection
   * may find the other one deleting (and tries again), collections delete what nothing
   * references, but no blob is ever visible with a chunk missing.
   */
  @ParameterizedTest
  @MethodSource("backends")
  void concurrentCollectorsNeverLeaveAVisibleBlobWithAMissingChunk(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      byte[] shared = random(2 << 20, 80);
      java.util.concurrent.atomic.AtomicBoolean uploading = new java.util.concurrent.atomic.AtomicBoolean(true);
      java.util.concurrent.atomic.AtomicInteger collections = new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.atomic.AtomicInteger busy = new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.ExecutorService collectors = java.util.concurrent.Executors.newFixedThreadPool(2);
      List<java.util.concurrent.Future<?>> running = new ArrayList<>();
      for (int c = 0; c < 2; c++) {
        running.add(collectors.submit(() -> {
          while (uploading.get()) {
            try {
              await(GarbageCollector.of(f.database.db(), f.store, java.util.List.of()).run(NOW));
              collections.incrementAndGet();
              Thread.sleep(100); // leave uploads a chance to finish between collections
            } catch (ExecutionException e) {
              assertInstanceOf(GcBusyException.class, e.getCause(), "the only way a collection may fail here");
              busy.incrementAndGet();
              Thread.sleep(5);
            }
          }
          return null;
        }));
      }
      int committed = 0;
      int refused = 0;
      try {
        for (int i = 0; i < 12; i++) {
          byte[] data = new byte[shared.length + 300_000];
          System.arraycopy(shared, 0, data, 0, shared.length);
          System.arraycopy(random(300_000, 1000 + i), 0, data, shared.length, 300_000);
          for (int attempt = 0; attempt < 10; attempt++) {
            try {
              putBlob(f, data);
              committed++;
              break;
            } catch (ExecutionException e) {
              assertInstanceOf(ChunkCollectedException.class, e.getCause(), "the only way an upload may fail here");
              refused++;
            }
          }
        }
      } finally {
        uploading.set(false);
        for (java.util.concurrent.Future<?> r : running) {
          r.get(120, java.util.concurrent.TimeUnit.SECONDS);
        }
        collectors.shutdown();
      }
      assertTrue(committed > 0 && collections.get() > 0, committed + " uploads committed, " + refused + " refused, "
          + collections.get() + " collections, " + busy.get() + " found the other collecting");
      Set<B3Digest> stored = storedChunks(f.chunks);
      for (var row : await(f.database.db().query("SELECT digest FROM blobs"))) {
        B3Digest blob = B3Digest.of(row.bytes("digest"));
        assertTrue(stored.containsAll(chunksOf(f, blob)), "every chunk of visible blob " + blob + " is stored");
        readAll(f, blob); // verifies every chunk against its digest
      }
    }
  }

  @ParameterizedTest
  @MethodSource("backends")
  void oneCollectionDeletesAtATimeAndAnExpiredLeaseIsTakenOver(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      GcLease held = await(GcLease.acquire(f.database.db()));
      ExecutionException busy = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> await(GarbageCollector.of(f.database.db(), f.store, java.util.List.of()).run(NOW)));
      assertInstanceOf(GcBusyException.class, busy.getCause());
      assertTrue(busy.getCause().getMessage().startsWith("another garbage collection is running ("), busy.getCause().getMessage());
      assertTrue(await(GarbageCollector.of(f.database.db(), f.store, java.util.List.of()).run(NOW_DRY)).dryRun(), "a dry run deletes nothing and needs no lease");
      await(held.release());
      assertEquals(0, await(GarbageCollector.of(f.database.db(), f.store, java.util.List.of()).run(NOW)).objects());

      await(GcLease.acquire(f.database.db()));
      // Its holder crashed: the lease runs out.
      await(f.database.db().update("UPDATE gc_lease SET expires_at = ?", System.currentTimeMillis() - 1));
      assertEquals(0, await(GarbageCollector.of(f.database.db(), f.store, java.util.List.of()).run(NOW)).objects(), "the next collection takes over");
      assertEquals(0, count(f, "SELECT COUNT(*) AS n FROM gc_lease"), "and releases it when done");
    }
  }

  @ParameterizedTest
  @MethodSource("backends")
  void finishedTombstonesOutliveAZeroGracePeriodForADay(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      B3Digest blob = putBlob(f, random(500_000, 90));
      int chunks = chunksOf(f, blob).size();
      tick();
      assertEquals(chunks, await(GarbageCollector.of(f.database.db(), f.store, java.util.List.of()).run(NOW)).chunks());
      GcReport next = await(GarbageCollector.of(f.database.db(), f.store, java.util.List.of()).run(NOW));
      assertEquals(0, next.tombstonesPruned(), "an upload that began before the delete may still commit");
      assertEquals(chunks, count(f, "SELECT COUNT(*) AS n FROM gc_tombstones WHERE deleted = 1"));
      await(f.database.db().update("UPDATE gc_tombstones SET deleting_at = ?",
          System.currentTimeMillis() - ChunkSweep.TOMBSTONE_RETENTION.toMillis() - 1000));
      assertEquals(chunks, await(GarbageCollector.of(f.database.db(), f.store, java.util.List.of()).run(NOW)).tombstonesPruned());
      assertEquals(0, count(f, "SELECT COUNT(*) AS n FROM gc_tombstones"));
    }
  }
}
