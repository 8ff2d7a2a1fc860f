package dev.cairn.castore;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;

/**
 * Incremental BLAKE3-256 over a byte stream, backed by Cairn's own {@link Blake3}: SIMD lanes
 * where the JVM has the Vector API module, scalar otherwise (see bench/README.md for both
 * against b3sum). Serial by default: the server keeps every pool bounded and its own (issue
 * 7), and an upload already hashes its blob and its chunks on different threads. {@code
 * -Dcairn.blake3.parallel=true} spreads updates of 256 KiB or more over Blake3's own helper
 * threads (cores − 1), one part of each update per core; the digest is the same either way. It
 * then applies to every hasher of the server: the blob digest of an upload or ingest
 * ({@code ChunkedBlobWriter}, updates of one write, 1 MiB from the NAR ingester), chunk digests
 * (≤ 1 MiB each) and chunk verification of heap buffers. Not thread-safe; one per stream.
 */
public final class Blake3Hasher {
  static final boolean PARALLEL =
      Boolean.parseBoolean(System.getProperty("cairn.blake3.parallel", "false"));

  private final Blake3 state;

  public Blake3Hasher() {
    this(PARALLEL);
  }

  Blake3Hasher(boolean parallel) {
    state = new Blake3(parallel);
  }

  public static B3Digest hash(byte[] data) {
    return B3Digest.of(new Blake3(PARALLEL).update(data, 0, data.length).digest());
  }

  public Blake3Hasher update(byte[] data) {
    state.update(data, 0, data.length);
    return this;
  }

  public Blake3Hasher update(byte[] data, int offset, int length) {
    state.update(data, offset, length);
    return this;
  }

  public Blake3Hasher update(ByteBuffer data) {
    state.update(data);
    return this;
  }

  public Blake3Hasher update(Buffer data) {
    return update(data.getBytes());
  }

  /** The digest of everything seen so far; the hasher may continue to be updated. */
  public B3Digest digest() {
    return B3Digest.of(state.digest());
  }
}
