package dev.cairn.store.upstream;

import dev.cairn.compression.CorruptStreamException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Passes at most {@code max} bytes on (a download decompresses to no more than its narinfo's
 * NarSize); one more fails the download at once instead of ingesting a decompression bomb. Its
 * close leaves the target open.
 */
final class BoundedOutput extends FilterOutputStream {
  private final long max;
  private long written;

  BoundedOutput(OutputStream target, long max) {
    super(target);
    this.max = max;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    written += len;
    if (written > max) {
      throw new CorruptStreamException("the NAR is longer than its narinfo's NarSize " + max);
    }
    out.write(b, off, len);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void close() {
    // The end of the input; the target is the caller's.
  }
}
