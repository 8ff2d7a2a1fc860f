package dev.cairn.castore.chunks;

import com.github.luben.zstd.Zstd;
import dev.cairn.castore.B3Digest;
import dev.cairn.castore.Blake3Hasher;
import dev.cairn.castore.BlobCorruptedException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The stored form of one chunk, the same in every {@link ChunkStore}: a 5-byte header (codec,
 * then the raw length as a big-endian int) followed by the raw or zstd-compressed bytes. The
 * header lets compressed and raw chunks coexist when the compression setting changes; a chunk
 * is stored raw when zstd does not make it smaller. (This is byte for byte the chunk file format
 * of Cairn's first blob store, so existing data directories stay readable.)
 */
public final class ChunkCodec {
  public static final int HEADER = 5;
  private static final byte RAW = 0;
  private static final byte ZSTD = 1;
  /** Far above any chunk we write (max 1 MiB by default); a larger header means corruption. */
  private static final int MAX_RAW = 64 * 1024 * 1024;

  private ChunkCodec() {}

  /** The stored form of {@code data[off, off+len)}; {@code zstdLevel} 0 stores it raw. */
  public static byte[] encode(byte[] data, int off, int len, int zstdLevel) {
    if (zstdLevel > 0 && len > 0) {
      byte[] compressed = new byte[HEADER + (int) Zstd.compressBound(len)];
      long n = Zstd.compressByteArray(compressed, HEADER, compressed.length - HEADER, data, off, len, zstdLevel);
      if (!Zstd.isError(n) && n < len) {
        ByteBuffer.wrap(compressed).put(ZSTD).putInt(len);
        return Arrays.copyOf(compressed, HEADER + (int) n);
      }
    }
    byte[] out = new byte[HEADER + len];
    ByteBuffer.wrap(out).put(RAW).putInt(len);
    System.arraycopy(data, off, out, HEADER, len);
    return out;
  }

  /**
   * The stored form of {@code framed[HEADER, HEADER + len)}, the chunk's bytes after room for the
   * header: a raw chunk is framed in place (a view of {@code framed}, no copy of its bytes), a
   * compressed one is new.
   */
  public static ByteBuffer encodeFramed(byte[] framed, int len, int zstdLevel) {
    if (zstdLevel > 0 && len > 0) {
      byte[] encoded = encode(framed, HEADER, len, zstdLevel);
      if (encoded[0] == ZSTD) {
        return ByteBuffer.wrap(encoded);
      }
    }
    ByteBuffer.wrap(framed).put(RAW).putInt(len);
    return ByteBuffer.wrap(framed, 0, HEADER + len);
  }

  /** The raw length recorded in a stored chunk's header. */
  public static int rawLength(B3Digest digest, byte[] header) {
    if (header.length < HEADER) {
      throw corrupted(digest, "is truncated");
    }
    int rawLength = ByteBuffer.wrap(header).getInt(1);
    if (rawLength < 0 || rawLength > MAX_RAW) {
      throw corrupted(digest, "has a bad header");
    }
    return rawLength;
  }

  /**
   * The chunk's raw bytes from its stored form {@code stored[0, length)}, not yet verified: a view
   * into {@code stored} for a raw chunk (no copy), a new array for a compressed one. Fails when the
   * header or the length is wrong.
   */
  public static ByteBuffer decode(B3Digest digest, byte[] stored, int length) {
    if (length < HEADER) {
      throw corrupted(digest, "is truncated");
    }
    int rawLength = rawLength(digest, stored);
    byte codec = stored[0];
    if (codec == RAW) {
      if (length - HEADER != rawLength) {
        throw corrupted(digest, "has the wrong length");
      }
      return ByteBuffer.wrap(stored, HEADER, rawLength).slice();
    } else if (codec == ZSTD) {
      byte[] raw = new byte[rawLength];
      long n = Zstd.decompressByteArray(raw, 0, rawLength, stored, HEADER, length - HEADER);
      if (Zstd.isError(n) || n != rawLength) {
        throw corrupted(digest, "does not decompress");
      }
      return ByteBuffer.wrap(raw);
    }
    throw corrupted(digest, "has an unknown codec");
  }

  /** Whether a stored chunk {@code stored[0, length)} holds its raw bytes as they are (decoding it computes nothing). */
  public static boolean isRaw(byte[] stored, int length) {
    return length >= HEADER && stored[0] == RAW;
  }

  /** Fails unless the raw bytes hash to {@code digest}. */
  public static void verify(B3Digest digest, ByteBuffer raw) {
    B3Digest actual = new Blake3Hasher().update(raw.duplicate()).digest();
    if (!actual.equals(digest)) {
      throw corrupted(digest, "hashes to " + actual + ": its stored bytes are corrupted");
    }
  }

  private static BlobCorruptedException corrupted(B3Digest digest, String what) {
    return new BlobCorruptedException("chunk " + digest + " " + what);
  }
}
