package dev.cairn.compression;

import dev.cairn.server.http.ClientError;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Bounds what a decoder writes: a few kilobytes of xz or zstd may decode to terabytes, so the
 * limit on the bytes as sent is no bound on the NAR. Past {@code limit} decoded bytes the write
 * fails with a 413 and nothing more is written.
 */
final class DecodedSizeLimit extends FilterOutputStream {
  private final long limit;
  private long written;

  DecodedSizeLimit(OutputStream target, long limit) {
    super(target);
    this.limit = limit;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    written += len;
    if (written > limit) {
      throw new TooLarge(limit);
    }
    out.write(b, off, len);
  }

  @Override
  public void close() {
    // The target is the caller's.
  }

  /** A 413: the stream decodes to more than the limit. */
  static final class TooLarge extends IOException implements ClientError {
    TooLarge(long limit) {
      super("nar: decompresses to more than the limit of " + limit + " bytes");
    }

    @Override
    public int httpStatus() {
      return 413;
    }
  }
}
