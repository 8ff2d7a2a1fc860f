package dev.cairn.castore;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * Vert.x buffers over byte arrays or NIO buffers without a copy ({@code Buffer.buffer(byte[])}
 * copies in Vert.x 5), and back: a buffer's bytes as an array range.
 */
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

  /** {@code array[offset, offset+length)}: the bytes of a buffer. */
  public record Bytes(byte[] array, int offset, int length) {}

  /** The readable bytes of {@code data}: its own array when it has one (no copy), else a copy. */
  public static Bytes bytes(Buffer data) {
    ByteBuf buf = data instanceof BufferInternal internal ? internal.getByteBuf() : null;
    if (buf != null && buf.hasArray()) {
      return new Bytes(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes());
    }
    byte[] copy = data.getBytes();
    return new Bytes(copy, 0, copy.length);
  }
}
