package dev.cairn.compression;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Decompresses zstd as it is written and writes the decompressed bytes on to {@code target}:
 * the push-shaped decoder a streamed upload needs (zstd-jni's streams pull). {@link #close}
 * ends the input, failing when the last frame is incomplete, and never closes {@code target}.
 * Not thread-safe; used on the NAR pool in arrival order.
 */
final class ZstdDecodingStream extends OutputStream {
  private static final int BUFFER = 128 << 10;

  private final OutputStream target;
  private final ZstdDecompressCtx ctx = new ZstdDecompressCtx();
  private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER);
  private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER);
  private final byte[] copy = new byte[BUFFER];
  private boolean frameComplete;
  private boolean anyInput;
  private boolean closed;

  ZstdDecodingStream(OutputStream target) {
    this.target = target;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      int n = Math.min(len, in.remaining());
      in.put(b, off, n);
      off += n;
      len -= n;
      anyInput = true;
      in.flip();
      drain();
      in.compact();
    }
  }

  /** Decompresses what {@code in} holds until it is used up and no output is left buffered. */
  private void drain() throws IOException {
    boolean outputFull;
    do {
      out.clear();
      try {
        frameComplete = ctx.decompressDirectByteBufferStream(out, in);
      } catch (ZstdException e) {
        throw new CorruptStreamException("nar: not valid zstd: " + e.getMessage());
      }
      out.flip();
      outputFull = out.limit() == out.capacity();
      while (out.hasRemaining()) {
        int n = Math.min(out.remaining(), copy.length);
        out.get(copy, 0, n);
        target.write(copy, 0, n);
      }
    } while (in.hasRemaining() || outputFull);
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    ctx.close();
    if (!anyInput || !frameComplete) {
      throw new CorruptStreamException("nar: the zstd stream ends in the middle of a frame (truncated upload)");
    }
  }
}
