package dev.cairn.castore;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The on-disk form of one chunk: a 5-byte header (codec, then the raw length as a big-endian
 * int) followed by the raw or zstd-compressed bytes. The header lets compressed and raw chunks
 * coexist when the compression setting changes; a chunk is stored raw when zstd does not make
 * it smaller.
 */
final class ChunkFile {
  static final int HEADER = 5;
  private static final byte RAW = 0;
  private static final byte ZSTD = 1;
  /** Far above any chunk we write (max 1 MiB by default); a larger header means corruption. */
  private static final int MAX_RAW = 64 * 1024 * 1024;

  private ChunkFile() {}

  /** Writes and fsyncs {@code data[off, off+len)} to {@code file}, which must not exist. */
  static void write(Path file, byte[] data, int off, int len, int zstdLevel) throws IOException {
    byte codec = RAW;
    byte[] payload = data;
    int payloadOff = off;
    int payloadLen = len;
    if (zstdLevel > 0 && len > 0) {
      byte[] compressed = new byte[(int) Zstd.compressBound(len)];
      long n = Zstd.compressByteArray(compressed, 0, compressed.length, data, off, len, zstdLevel);
      if (Zstd.isError(n)) {
        throw new IOException("zstd failed on a chunk: " + Zstd.getErrorName(n));
      }
      if (n < len) {
        codec = ZSTD;
        payload = compressed;
        payloadOff = 0;
        payloadLen = (int) n;
      }
    }
    ByteBuffer header = ByteBuffer.allocate(HEADER).put(codec).putInt(len).flip();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      writeFully(ch, header);
      writeFully(ch, ByteBuffer.wrap(payload, payloadOff, payloadLen));
      ch.force(true);
    }
  }

  /** The chunk's raw bytes, verified against {@code digest}. */
  static byte[] readVerified(Path file, B3Digest digest) throws IOException {
    byte[] stored = Files.readAllBytes(file);
    if (stored.length < HEADER) {
      throw new BlobCorruptedException("chunk " + digest + " at " + file + " is truncated");
    }
    ByteBuffer in = ByteBuffer.wrap(stored);
    byte codec = in.get();
    int rawLength = in.getInt();
    if (rawLength < 0 || rawLength > MAX_RAW) {
      throw new BlobCorruptedException("chunk " + digest + " at " + file + " has a bad header");
    }
    byte[] raw;
    if (codec == RAW) {
      if (stored.length - HEADER != rawLength) {
        throw new BlobCorruptedException("chunk " + digest + " at " + file + " has the wrong length");
      }
      raw = java.util.Arrays.copyOfRange(stored, HEADER, stored.length);
    } else if (codec == ZSTD) {
      raw = new byte[rawLength];
      long n = Zstd.decompressByteArray(raw, 0, rawLength, stored, HEADER, stored.length - HEADER);
      if (Zstd.isError(n) || n != rawLength) {
        throw new BlobCorruptedException("chunk " + digest + " at " + file + " does not decompress");
      }
    } else {
      throw new BlobCorruptedException("chunk " + digest + " at " + file + " has unknown codec " + codec);
    }
    B3Digest actual = Blake3Hasher.hash(raw);
    if (!actual.equals(digest)) {
      throw new BlobCorruptedException(
          "chunk " + digest + " at " + file + " hashes to " + actual + ": stored bytes are corrupted");
    }
    return raw;
  }

  /** The raw length from the header, without reading the payload. */
  static long rawSize(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer header = ByteBuffer.allocate(HEADER);
      while (header.hasRemaining() && ch.read(header) >= 0) {
        // keep reading
      }
      if (header.hasRemaining()) {
        throw new BlobCorruptedException("chunk file " + file + " is truncated");
      }
      int rawLength = header.getInt(1);
      if (rawLength < 0 || rawLength > MAX_RAW) {
        throw new BlobCorruptedException("chunk file " + file + " has a bad header");
      }
      return rawLength;
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }
}
