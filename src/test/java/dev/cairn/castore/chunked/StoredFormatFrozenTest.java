package dev.cairn.castore.chunked;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.BlobStat;
import dev.cairn.castore.BlobWriter;
import dev.cairn.castore.CastoreFixture;
import dev.cairn.castore.ChunkMeta;
import dev.cairn.castore.FastCdc;
import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import io.vertx.core.buffer.Buffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The storage format as it was before the ingest path was made faster (issue 10): chunk
 * boundaries of the default FastCDC parameters, blob and chunk digests and the stored chunk
 * bytes of a set of blobs around the chunk size limits. The expected values were computed by the
 * code before that change; a faster writer must give the same bytes.
 */
class StoredFormatFrozenTest {
  /** Sizes around the edges: empty, tiny, min, min+1, avg, max−1, max, max+1, several chunks. */
  static final int[] SIZES = {0, 12, 64 << 10, (64 << 10) + 1, 256 << 10, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 9 << 20};

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Runs of one byte have no cut point: a blob of exactly max bytes is then one chunk. */
  static byte[] uniform(int n) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) 7);
    return b;
  }

  @Test
  void defaultChunkBoundariesAreUnchanged() throws Exception {
    FastCdc cdc = new FastCdc(FastCdc.Params.DEFAULT);
    byte[] data = random(64 << 20, 20261201);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    int off = 0;
    int count = 0;
    while (off < data.length) {
      int n = cdc.cut(data, off, data.length - off);
      sha.update((n + ",").getBytes());
      off += n;
      count++;
    }
    assertEquals("230 chunks e4b63b66", count + " chunks " + HexFormat.of().formatHex(sha.digest()).substring(0, 8));
  }

  @Test
  void blobAndChunkDigestsAndStoredBytesAreUnchanged() throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    try (CastoreFixture f = CastoreFixture.create(Dialect.SQLITE)) {
      for (int i = 0; i < SIZES.length; i++) {
        describe(f, sha, random(SIZES[i], i));
      }
      describe(f, sha, uniform(1 << 20));
      describe(f, sha, uniform(3 << 20));
    }
    assertEquals("91da2b3251ffc2d4", HexFormat.of().formatHex(sha.digest()).substring(0, 16));
  }

  /** Stores {@code data} in writes of varying size and feeds its digests and stored chunks to {@code sha}. */
  private static void describe(CastoreFixture f, MessageDigest sha, byte[] data) throws Exception {
    BlobWriter w = f.blobs.put();
    Random r = new Random(data.length);
    int off = 0;
    while (off < data.length) {
      int n = Math.min(data.length - off, 1 + r.nextInt(300_000));
      TestDatabase.await(w.write(Buffer.buffer().appendBytes(data, off, n)));
      off += n;
    }
    B3Digest blob = TestDatabase.await(w.close());
    BlobStat stat = TestDatabase.await(f.blobs.stat(blob)).orElseThrow();
    sha.update(blob.bytes());
    sha.update(Long.toString(stat.size()).getBytes());
    java.util.List<ChunkMeta> chunks = stat.chunks().isEmpty() ? java.util.List.of(new ChunkMeta(blob, stat.size())) : stat.chunks();
    for (ChunkMeta c : chunks) {
      sha.update(c.digest().bytes());
      sha.update(Long.toString(c.size()).getBytes());
      Optional<Buffer> stored = TestDatabase.await(f.chunks.get(c.digest()));
      sha.update(stored.orElseThrow().getBytes());
    }
  }
}
