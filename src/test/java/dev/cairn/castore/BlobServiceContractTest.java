package dev.cairn.castore;

import dev.cairn.validation.ValidationException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.castore.chunked.ChunkedBlobService;
import dev.cairn.castore.chunks.ChunkStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What every BlobService must do, run on every chunk store backend and database dialect. */
class BlobServiceContractTest {
  static final byte[] BIG = random(20 << 20, 42);

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Writes {@code data} in pieces of varying size, waiting for each write. */
  static B3Digest put(BlobService service, byte[] data, long seed) throws Exception {
    BlobWriter w = service.put();
    Random r = new Random(seed);
    int off = 0;
    while (off < data.length) {
      int n = Math.min(data.length - off, 1 + r.nextInt(200_000));
      await(w.write(Buffer.buffer().appendBytes(data, off, n)));
      off += n;
    }
    return await(w.close());
  }

  static byte[] read(BlobService service, B3Digest d, long offset, long length, int maxBytes) throws Exception {
    BlobReader reader = await(service.open(d, offset, length)).orElseThrow();
    Buffer all = Buffer.buffer();
    while (true) {
      Buffer piece = await(reader.read(maxBytes));
      if (piece.length() == 0) {
        break;
      }
      assertTrue(piece.length() <= maxBytes);
      all.appendBuffer(piece);
    }
    assertEquals(0, reader.remaining());
    reader.close();
    return all.getBytes();
  }

  static long storedChunks(ChunkStore chunks) throws Exception {
    long n = 0;
    Optional<B3Digest> after = Optional.empty();
    while (true) {
      List<ChunkStore.Listed> page = await(chunks.list(after, 100));
      n += page.size();
      if (page.size() < 100) {
        return n;
      }
      after = Optional.of(page.get(page.size() - 1).digest());
    }
  }

  /** Damages a stored chunk through the chunk store itself, so it works on every backend. */
  static void flipStoredByte(ChunkStore chunks, B3Digest digest, int at) throws Exception {
    byte[] stored = await(chunks.get(digest)).orElseThrow().getBytes();
    stored[at] ^= 0x01;
    await(chunks.put(digest, Buffer.buffer(stored)));
  }

  @ParameterizedTest @MethodSource("dev.cairn.castore.BlobBackend#all")
  void storesTheEmptyBlobUnderItsKnownDigest(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      B3Digest d = put(f.blobs, new byte[0], 1);
      assertEquals("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262", d.hex());
      assertEquals(new BlobStat(0, List.of()), await(f.blobs.stat(d)).orElseThrow());
      assertArrayEquals(new byte[0], read(f.blobs, d, 0, Long.MAX_VALUE, 1024));
    }
  }

  @ParameterizedTest @MethodSource("dev.cairn.castore.BlobBackend#all")
  void storesATwelveByteBlobAsOneChunk(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      byte[] hello = "Hello World!".getBytes(StandardCharsets.UTF_8);
      B3Digest d = put(f.blobs, hello, 1);
      assertEquals("5ca7815adcb484e9a136c11efe69c1d530176d549b5d18d038eb5280b4b3470c", d.hex());
      assertEquals(new BlobStat(12, List.of()), await(f.blobs.stat(d)).orElseThrow());
      assertArrayEquals(hello, read(f.blobs, d, 0, Long.MAX_VALUE, 5));
      assertArrayEquals("World".getBytes(StandardCharsets.UTF_8), read(f.blobs, d, 6, 5, 100));
      assertEquals(1, storedChunks(f.chunks));
    }
  }

  @ParameterizedTest @MethodSource("dev.cairn.castore.BlobBackend#all")
  void storesALargeBlobAsChunksEachReadableByItsOwnDigest(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      B3Digest d = put(f.blobs, BIG, 7);
      assertEquals(Blake3Hasher.hash(BIG), d);
      BlobStat stat = await(f.blobs.stat(d)).orElseThrow();
      assertEquals(BIG.length, stat.size());
      assertTrue(stat.chunks().size() > 10, "chunks: " + stat.chunks().size());
      long offset = 0;
      for (ChunkMeta c : stat.chunks()) {
        byte[] expected = Arrays.copyOfRange(BIG, (int) offset, (int) (offset + c.size()));
        assertEquals(Blake3Hasher.hash(expected), c.digest());
        assertEquals(new BlobStat(c.size(), List.of()), await(f.blobs.stat(c.digest())).orElseThrow());
        offset += c.size();
      }
      assertEquals(BIG.length, offset);
      ChunkMeta third = stat.chunks().get(2);
      long thirdStart = stat.chunks().get(0).size() + stat.chunks().get(1).size();
      assertArrayEquals(Arrays.copyOfRange(BIG, (int) thirdStart, (int) (thirdStart + third.size())),
          read(f.blobs, third.digest(), 0, Long.MAX_VALUE, 65536));
      assertArrayEquals(BIG, read(f.blobs, d, 0, Long.MAX_VALUE, 100_000));
    }
  }

  @ParameterizedTest @MethodSource("dev.cairn.castore.BlobBackend#all")
  void storesEachChunkOnceAcrossBlobs(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      B3Digest d = put(f.blobs, BIG, 1);
      long chunkCount = storedChunks(f.chunks);
      assertEquals(await(f.blobs.stat(d)).orElseThrow().chunks().size(), chunkCount);
      assertEquals(d, put(f.blobs, BIG, 2)); // same bytes, other write sizes
      assertEquals(chunkCount, storedChunks(f.chunks));
      byte[] prefixed = new byte[BIG.length + 1000];
      System.arraycopy(BIG, 0, prefixed, 1000, BIG.length);
      put(f.blobs, prefixed, 3);
      long added = storedChunks(f.chunks) - chunkCount;
      assertTrue(added <= chunkCount / 10, "new chunks: " + added); // only those near the insertion
    }
  }

  @ParameterizedTest @MethodSource("dev.cairn.castore.BlobBackend#all")
  void chunkBoundariesDoNotDependOnHowBytesArrive(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0); CastoreFixture other = backend.fixture(0)) {
      byte[] data = random(5 << 20, 9);
      B3Digest a = put(f.blobs, data, 11);
      BlobWriter w = other.blobs.put();
      await(w.write(Buffer.buffer(data)));
      assertEquals(a, await(w.close()));
      assertEquals(await(f.blobs.stat(a)).orElseThrow(), await(other.blobs.stat(a)).orElseThrow());
    }
  }

  @ParameterizedTest @MethodSource("dev.cairn.castore.BlobBackend#all")
  void readsRangesAcrossChunkBoundaries(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      byte[] data = Arrays.copyOf(BIG, 6 << 20);
      B3Digest d = put(f.blobs, data, 5);
      List<ChunkMeta> chunks = await(f.blobs.stat(d)).orElseThrow().chunks();
      long boundary = chunks.get(0).size();
      long secondBoundary = boundary + chunks.get(1).size();
      long[][] ranges = {
        {boundary - 1, 2}, {boundary, 1}, {boundary - 10, secondBoundary - boundary + 20},
        {0, data.length}, {data.length - 1, 1}, {data.length, 0}, {12345, 3_000_000}, {secondBoundary - 5, 5},
      };
      for (long[] r : ranges) {
        assertArrayEquals(Arrays.copyOfRange(data, (int) r[0], (int) (r[0] + r[1])),
            read(f.blobs, d, r[0], r[1], 7777), "range " + r[0] + "+" + r[1]);
      }
      Random random = new Random(3);
      for (int i = 0; i < 10; i++) {
        int from = random.nextInt(data.length);
        int len = random.nextInt(data.length - from + 1);
        assertArrayEquals(Arrays.copyOfRange(data, from, from + len), read(f.blobs, d, from, len, 1 + random.nextInt(300_000)));
      }
    }
  }

  @ParameterizedTest @MethodSource("dev.cairn.castore.BlobBackend#all")
  void clipsLengthAtTheEndAndRejectsOffsetsBeyondIt(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      B3Digest d = put(f.blobs, "Hello World!".getBytes(StandardCharsets.UTF_8), 1);
      assertEquals(6, await(f.blobs.open(d, 6, 100)).orElseThrow().length());
      var e = assertThrows(ValidationException.class, () -> await(f.blobs.open(d, 13, 1)));
      assertEquals("offset", e.field());
      assertThrows(ValidationException.class, () -> await(f.blobs.open(d, -1, 1)));
      B3Digest unknown = Blake3Hasher.hash("nobody stored this".getBytes(StandardCharsets.UTF_8));
      assertTrue(await(f.blobs.stat(unknown)).isEmpty());
      assertTrue(await(f.blobs.open(unknown)).isEmpty());
      assertFalse(await(f.blobs.has(unknown)));
    }
  }

  @ParameterizedTest @MethodSource("dev.cairn.castore.BlobBackend#all")
  void unfinishedAndAbortedUploadsStayInvisible(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      byte[] data = Arrays.copyOf(BIG, 5 << 20);
      B3Digest digest = Blake3Hasher.hash(data);
      BlobWriter aborted = f.blobs.put();
      await(aborted.write(Buffer.buffer(data)));
      await(aborted.abort());
      assertThrows(IllegalStateException.class, () -> await(aborted.write(Buffer.buffer("x"))));
      BlobWriter vanished = f.blobs.put();
      await(vanished.write(Buffer.buffer(data))); // no close, no abort: the client went away
      assertTrue(await(f.blobs.stat(digest)).isEmpty());
      // Chunks stored on the way are not blobs either (only garbage to collect).
      List<ChunkStore.Listed> stored = await(f.chunks.list(Optional.empty(), 1000));
      assertFalse(stored.isEmpty());
      for (ChunkStore.Listed c : stored) {
        assertTrue(await(f.blobs.stat(c.digest())).isEmpty(), "chunk " + c.digest() + " visible");
      }
    }
  }

  @ParameterizedTest @MethodSource("dev.cairn.castore.BlobBackend#all")
  void detectsACorruptedChunkAndAnUploadOfTheSameBytesRepairsIt(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      B3Digest d = put(f.blobs, BIG, 1);
      List<ChunkMeta> chunks = await(f.blobs.stat(d)).orElseThrow().chunks();
      ChunkMeta second = chunks.get(1);
      flipStoredByte(f.chunks, second.digest(), 1000);
      BlobReader reader = await(f.blobs.open(d, chunks.get(0).size(), 10)).orElseThrow();
      var e = assertThrows(BlobCorruptedException.class, () -> await(reader.read(10)));
      assertTrue(e.getMessage().contains(second.digest().toString()), e.getMessage());
      assertFalse(e.getMessage().contains("/tmp"), "no file paths in errors: " + e.getMessage());
      assertThrows(BlobCorruptedException.class, () -> read(f.blobs, d, 0, Long.MAX_VALUE, 1 << 20));
      assertEquals(d, put(f.blobs, BIG, 2));
      assertArrayEquals(BIG, read(f.blobs, d, 0, Long.MAX_VALUE, 1 << 20));
    }
  }

  @ParameterizedTest @MethodSource("dev.cairn.castore.BlobBackend#all")
  void compressesChunksWhenConfiguredAndDetectsCorruptionInThem(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(3)) {
      byte[] text = "all work and no play makes jack a dull boy\n".repeat(100_000).getBytes(StandardCharsets.UTF_8);
      byte[] data = new byte[text.length + BIG.length / 4];
      System.arraycopy(text, 0, data, 0, text.length);
      System.arraycopy(BIG, 0, data, text.length, BIG.length / 4);
      B3Digest d = put(f.blobs, data, 1);
      long stored = 0;
      for (ChunkStore.Listed c : await(f.chunks.list(Optional.empty(), 1000))) {
        stored += c.storedSize();
      }
      assertTrue(stored < data.length - text.length / 2, "stored " + stored + " of " + data.length);
      assertArrayEquals(data, read(f.blobs, d, 0, Long.MAX_VALUE, 1 << 20));
      assertArrayEquals(Arrays.copyOfRange(data, 4_000_000, 4_500_000), read(f.blobs, d, 4_000_000, 500_000, 65536));
      ChunkMeta first = await(f.blobs.stat(d)).orElseThrow().chunks().get(0);
      flipStoredByte(f.chunks, first.digest(), 20);
      assertThrows(BlobCorruptedException.class, () -> read(f.blobs, d, 0, 100, 1 << 20));
    }
  }

  @ParameterizedTest @MethodSource("dev.cairn.castore.BlobBackend#all")
  void digestAgreesWithB3sum(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      byte[] data = Arrays.copyOf(BIG, 3_000_001);
      Path file = Files.createTempFile("b3sum-input", "");
      Files.write(file, data);
      Process p = new ProcessBuilder("/usr/bin/b3sum", "--no-names", file.toString()).start();
      String b3sum = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      assertEquals(0, p.waitFor());
      Files.delete(file);
      assertEquals(b3sum, put(f.blobs, data, 1).hex());
    }
  }

  @ParameterizedTest @MethodSource("dev.cairn.castore.BlobBackend#all")
  void concurrentUploadsOfOverlappingContentAllSucceed(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      List<Future<B3Digest>> uploads = new ArrayList<>();
      List<byte[]> datas = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        byte[] data = Arrays.copyOfRange(BIG, (i % 3) * 1_000_000, (i % 3) * 1_000_000 + 8_000_000);
        datas.add(data);
        BlobWriter w = f.blobs.put();
        uploads.add(w.write(Buffer.buffer(data)).compose(v -> w.close()));
      }
      for (int i = 0; i < uploads.size(); i++) {
        B3Digest d = await(uploads.get(i));
        assertEquals(Blake3Hasher.hash(datas.get(i)), d);
        assertArrayEquals(datas.get(i), read(f.blobs, d, 0, Long.MAX_VALUE, 1 << 20));
      }
    }
  }

  @ParameterizedTest @MethodSource("dev.cairn.castore.BlobBackend#all")
  void aSecondServiceOverTheSameDatabaseAndChunksSeesEveryBlob(BlobBackend backend) throws Exception {
    try (CastoreFixture f = backend.fixture(0)) {
      B3Digest d = put(f.blobs, Arrays.copyOf(BIG, 3 << 20), 1);
      BlobService replica = new ChunkedBlobService(f.workers, f.chunks, f.database.db(), ChunkedBlobService.Options.DEFAULT);
      assertEquals(await(f.blobs.stat(d)), await(replica.stat(d)));
      assertArrayEquals(Arrays.copyOf(BIG, 3 << 20), read(replica, d, 0, Long.MAX_VALUE, 1 << 20));
    }
  }
}
