package dev.cairn.castore;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;

/**
 * Incremental BLAKE3-256 over a byte stream (our unrolled {@link Blake3}; see bench/castore.md
 * for its throughput against b3sum). Not thread-safe; one per stream.
 */
public final class Blake3Hasher {
  private static final int COPY_SIZE = 64 * 1024;
  private final Blake3 state = new Blake3();
  private byte[] scratch;

  public static B3Digest hash(byte[] data) {
    return new Blake3Hasher().update(data).digest();
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
    if (data.hasArray()) {
      state.update(data.array(), data.arrayOffset() + data.position(), data.remaining());
      data.position(data.limit());
      return this;
    }
    if (scratch == null) {
      scratch = new byte[COPY_SIZE];
    }
    while (data.hasRemaining()) {
      int n = Math.min(scratch.length, data.remaining());
      data.get(scratch, 0, n);
      state.update(scratch, 0, n);
    }
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
