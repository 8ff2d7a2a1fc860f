package dev.cairn.castore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsBlobServiceTest {
  static Vertx vertx;
  static WorkerExecutor workers;
  static final byte[] BIG = random(20 << 20, 42);

  @TempDir Path root;
  FsBlobService blobs;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
    workers = vertx.createSharedWorkerExecutor("blob-test", 4);
  }

  @AfterAll
  static void stopVertx() throws Exception {
    await(vertx.close());
  }

  @BeforeEach
  void createStore() throws Exception {
    blobs = await(FsBlobService.create(vertx, workers, root, FsBlobService.Options.DEFAULT));
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
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

  long files(String dir) throws IOException {
    try (Stream<Path> s = Files.walk(root.resolve(dir))) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void storesTheEmptyBlobUnderItsKnownDigest() throws Exception {
    B3Digest d = put(blobs, new byte[0], 1);
    assertEquals("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262", d.hex());
    assertEquals(new BlobStat(0, List.of()), await(blobs.stat(d)).orElseThrow());
    assertArrayEquals(new byte[0], read(blobs, d, 0, Long.MAX_VALUE, 1024));
  }

  @Test
  void storesATwelveByteBlobAsOneChunk() throws Exception {
    byte[] hello = "Hello World!".getBytes(StandardCharsets.UTF_8);
    B3Digest d = put(blobs, hello, 1);
    assertEquals("5ca7815adcb484e9a136c11efe69c1d530176d549b5d18d038eb5280b4b3470c", d.hex());
    assertEquals(new BlobStat(12, List.of()), await(blobs.stat(d)).orElseThrow());
    assertArrayEquals(hello, read(blobs, d, 0, Long.MAX_VALUE, 5));
    assertArrayEquals("World".getBytes(StandardCharsets.UTF_8), read(blobs, d, 6, 5, 100));
    assertEquals(1, files("chunks"));
    assertEquals(0, files("blobs"));
  }

  @Test
  void storesALargeBlobAsChunksEachReadableByItsOwnDigest() throws Exception {
    B3Digest d = put(blobs, BIG, 7);
    assertEquals(Blake3Hasher.hash(BIG), d);
    BlobStat stat = await(blobs.stat(d)).orElseThrow();
    assertEquals(BIG.length, stat.size());
    assertTrue(stat.chunks().size() > 10, "chunks: " + stat.chunks().size());
    assertEquals(BIG.length, stat.chunks().stream().mapToLong(ChunkMeta::size).sum());
    long offset = 0;
    for (ChunkMeta c : stat.chunks()) {
      byte[] expected = Arrays.copyOfRange(BIG, (int) offset, (int) (offset + c.size()));
      assertEquals(Blake3Hasher.hash(expected), c.digest());
      assertEquals(new BlobStat(c.size(), List.of()), await(blobs.stat(c.digest())).orElseThrow());
      offset += c.size();
    }
    ChunkMeta third = stat.chunks().get(2);
    long thirdStart = stat.chunks().get(0).size() + stat.chunks().get(1).size();
    assertArrayEquals(Arrays.copyOfRange(BIG, (int) thirdStart, (int) (thirdStart + third.size())),
        read(blobs, third.digest(), 0, Long.MAX_VALUE, 65536));
    assertArrayEquals(BIG, read(blobs, d, 0, Long.MAX_VALUE, 100_000));
  }

  @Test
  void storesEachChunkOnceAcrossBlobs() throws Exception {
    B3Digest d = put(blobs, BIG, 1);
    long chunkFiles = files("chunks");
    assertEquals(await(blobs.stat(d)).orElseThrow().chunks().size(), chunkFiles);

    assertEquals(d, put(blobs, BIG, 2)); // same bytes, other write sizes
    assertEquals(chunkFiles, files("chunks"));

    byte[] prefixed = new byte[BIG.length + 1000];
    System.arraycopy(BIG, 0, prefixed, 1000, BIG.length);
    put(blobs, prefixed, 3);
    // Only the chunks near the insertion differ; the rest are shared.
    assertTrue(files("chunks") - chunkFiles <= chunkFiles / 10, "new chunks: " + (files("chunks") - chunkFiles));
    assertEquals(2, files("blobs"));
  }

  @Test
  void chunkBoundariesDoNotDependOnHowBytesArrive() throws Exception {
    byte[] data = random(5 << 20, 9);
    B3Digest a = put(blobs, data, 11);
    FsBlobService other = await(FsBlobService.create(vertx, workers, root.resolve("other"), FsBlobService.Options.DEFAULT));
    BlobWriter w = other.put();
    await(w.write(Buffer.buffer(data)));
    assertEquals(a, await(w.close()));
    assertEquals(await(blobs.stat(a)).orElseThrow(), await(other.stat(a)).orElseThrow());
  }

  @Test
  void readsRangesAcrossChunkBoundaries() throws Exception {
    byte[] data = Arrays.copyOf(BIG, 6 << 20);
    B3Digest d = put(blobs, data, 5);
    List<ChunkMeta> chunks = await(blobs.stat(d)).orElseThrow().chunks();
    long boundary = chunks.get(0).size();
    long secondBoundary = boundary + chunks.get(1).size();
    long[][] ranges = {
      {boundary - 1, 2}, {boundary, 1}, {boundary - 10, secondBoundary - boundary + 20},
      {0, data.length}, {data.length - 1, 1}, {data.length, 0}, {12345, 3_000_000}, {secondBoundary - 5, 5},
    };
    for (long[] r : ranges) {
      assertArrayEquals(Arrays.copyOfRange(data, (int) r[0], (int) (r[0] + r[1])),
          read(blobs, d, r[0], r[1], 7777), "range " + r[0] + "+" + r[1]);
    }
    Random random = new Random(3);
    for (int i = 0; i < 20; i++) {
      int from = random.nextInt(data.length);
      int len = random.nextInt(data.length - from + 1);
      assertArrayEquals(Arrays.copyOfRange(data, from, from + len), read(blobs, d, from, len, 1 + random.nextInt(300_000)));
    }
  }

  @Test
  void clipsLengthAtTheEndAndRejectsOffsetsBeyondIt() throws Exception {
    byte[] hello = "Hello World!".getBytes(StandardCharsets.UTF_8);
    B3Digest d = put(blobs, hello, 1);
    assertEquals(6, await(blobs.open(d, 6, 100)).orElseThrow().length());
    var e = assertThrows(ValidationException.class, () -> await(blobs.open(d, 13, 1)));
    assertEquals("offset", e.field());
    assertThrows(ValidationException.class, () -> await(blobs.open(d, -1, 1)));
  }

  @Test
  void answersAbsentForUnknownDigests() throws Exception {
    B3Digest unknown = Blake3Hasher.hash("nobody stored this".getBytes(StandardCharsets.UTF_8));
    assertTrue(await(blobs.stat(unknown)).isEmpty());
    assertTrue(await(blobs.open(unknown)).isEmpty());
    assertFalse(await(blobs.has(unknown)));
  }

  @Test
  void abortedUploadLeavesNothing() throws Exception {
    BlobWriter w = blobs.put();
    await(w.write(Buffer.buffer(Arrays.copyOf(BIG, 5 << 20))));
    await(w.abort());
    assertEquals(0, files("chunks"));
    assertEquals(0, files("blobs"));
    assertEquals(0, files("tmp"));
    assertTrue(await(blobs.stat(Blake3Hasher.hash(Arrays.copyOf(BIG, 5 << 20)))).isEmpty());
    assertThrows(IllegalStateException.class, () -> await(w.write(Buffer.buffer("x"))));
  }

  @Test
  void unfinishedUploadIsInvisibleAndRemovedAtStartup() throws Exception {
    BlobWriter w = blobs.put();
    await(w.write(Buffer.buffer(Arrays.copyOf(BIG, 5 << 20))));
    // The client vanished: no close, no abort.
    assertEquals(0, files("chunks"));
    assertTrue(files("tmp") > 0);
    await(FsBlobService.create(vertx, workers, root, FsBlobService.Options.DEFAULT));
    assertEquals(0, files("tmp"));
  }

  @Test
  void detectsACorruptedChunkInsteadOfServingIt() throws Exception {
    B3Digest d = put(blobs, BIG, 1);
    ChunkMeta second = await(blobs.stat(d)).orElseThrow().chunks().get(1);
    flipByte(blobs.chunkPath(second.digest()), 1000);

    long secondStart = await(blobs.stat(d)).orElseThrow().chunks().get(0).size();
    BlobReader reader = await(blobs.open(d, secondStart, 10)).orElseThrow();
    assertThrows(BlobCorruptedException.class, () -> await(reader.read(10)));
    assertThrows(BlobCorruptedException.class, () -> read(blobs, second.digest(), 0, Long.MAX_VALUE, 1 << 20));
  }

  @Test
  void detectsACorruptedCompressedChunk() throws Exception {
    FsBlobService zstd = await(FsBlobService.create(vertx, workers, root.resolve("z"), FsBlobService.Options.DEFAULT.withZstd(3)));
    byte[] text = "all work and no play makes jack a dull boy\n".repeat(20_000).getBytes(StandardCharsets.UTF_8);
    B3Digest d = put(zstd, text, 1);
    assertEquals(new BlobStat(text.length, List.of()), await(zstd.stat(d)).orElseThrow());
    flipByte(zstd.chunkPath(d), 20);
    assertThrows(BlobCorruptedException.class, () -> read(zstd, d, 0, Long.MAX_VALUE, 1 << 20));
  }

  @Test
  void detectsACorruptedBlobIndex() throws Exception {
    B3Digest d = put(blobs, BIG, 1);
    flipByte(blobs.blobPath(d), 100);
    assertThrows(BlobCorruptedException.class, () -> await(blobs.stat(d)));
  }

  @Test
  void compressesChunksWhenConfigured() throws Exception {
    FsBlobService zstd = await(FsBlobService.create(vertx, workers, root, FsBlobService.Options.DEFAULT.withZstd(3)));
    byte[] text = "all work and no play makes jack a dull boy\n".repeat(100_000).getBytes(StandardCharsets.UTF_8);
    byte[] data = new byte[text.length + BIG.length / 4];
    System.arraycopy(text, 0, data, 0, text.length);
    System.arraycopy(BIG, 0, data, text.length, BIG.length / 4);
    B3Digest d = put(zstd, data, 1);
    long stored;
    try (Stream<Path> s = Files.walk(root.resolve("chunks"))) {
      stored = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
    assertTrue(stored < data.length - text.length / 2, "stored " + stored + " of " + data.length);
    assertArrayEquals(data, read(zstd, d, 0, Long.MAX_VALUE, 1 << 20));
    assertArrayEquals(Arrays.copyOfRange(data, 4_000_000, 4_500_000), read(zstd, d, 4_000_000, 500_000, 65536));
  }

  @Test
  void digestAgreesWithB3sum() throws Exception {
    byte[] data = Arrays.copyOf(BIG, 3_000_001);
    Path file = root.resolve("b3sum-input");
    Files.write(file, data);
    Process p = new ProcessBuilder("/usr/bin/b3sum", "--no-names", file.toString()).start();
    String b3sum = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
    assertEquals(0, p.waitFor());
    assertEquals(b3sum, put(blobs, data, 1).hex());
  }

  static void flipByte(Path file, long at) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x01);
    }
  }

  @Test
  void corruptionErrorNamesTheChunk() throws Exception {
    B3Digest d = put(blobs, "Hello World!".getBytes(StandardCharsets.UTF_8), 1);
    flipByte(blobs.chunkPath(d), ChunkFile.HEADER + 1);
    var e = assertThrows(BlobCorruptedException.class, () -> read(blobs, d, 0, 12, 12));
    assertInstanceOf(BlobCorruptedException.class, e);
    assertTrue(e.getMessage().contains(d.toString()), e.getMessage());
  }
}
