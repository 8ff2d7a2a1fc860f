package dev.cairn.castore;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/** Vert.x buffers over byte arrays or NIO buffers without a copy ({@code Buffer.buffer(byte[])} copies in Vert.x 5). */
public final class Buffers {
  private Buffers() {}

  /** A buffer over all of {@code bytes}; the caller must not change them afterwards. */
  public static Buffer wrap(byte[] bytes) {
    return BufferInternal.buffer(Unpooled.wrappedBuffer(bytes));
  }

  /** A buffer over the remaining bytes of {@code bytes}; the caller must not change them afterwards. */
  public static Buffer wrap(java.nio.ByteBuffer bytes) {
    return BufferInternal.buffer(Unpooled.wrappedBuffer(bytes));
  }

  /** A buffer over {@code bytes[offset, offset+length)}; the caller must not change them afterwards. */
  public static Buffer wrap(byte[] bytes, int offset, int length) {
    return BufferInternal.buffer(Unpooled.wrappedBuffer(bytes, offset, length));
  }
}
