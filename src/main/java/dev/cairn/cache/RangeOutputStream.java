package dev.cairn.cache;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Passes on the first {@code length} bytes of what is written (a rendering that already starts at
 * the range's first byte) and drops the rest; once the range is complete, the next write throws
 * {@link Done} so the renderer stops instead of rendering the remainder for nothing.
 */
final class RangeOutputStream extends OutputStream {
  static final class Done extends IOException {
    Done() {
      super("range complete", null);
    }
  }

  private final OutputStream out;
  private long left;

  RangeOutputStream(OutputStream out, long length) {
    this.out = out;
    this.left = length;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (left == 0 && len > 0) {
      throw new Done();
    }
    int n = (int) Math.min(left, len);
    if (n > 0) {
      out.write(b, off, n);
      left -= n;
    }
  }

  /** Whether every byte of the range has been passed on. */
  boolean complete() {
    return left == 0;
  }
}
