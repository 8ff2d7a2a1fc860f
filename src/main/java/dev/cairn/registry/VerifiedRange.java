package dev.cairn.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * Between a layer rendering and its response: hashes every rendered byte, passes on bytes
 * {@code [start, start + length)}, and holds back the last byte of that range until the whole
 * rendering is known to have the promised digest and size ({@link #finish}). A rendering that
 * differs from its promise therefore never makes a complete response: the caller resets the
 * connection instead (nix2container's failure mode was serving such bytes as a good layer).
 * Stored chunks are verified against their BLAKE3 digests as they are read, so corrupted storage
 * fails the rendering before its bytes get here.
 */
final class VerifiedRange extends OutputStream {
  /** The rendering differs from the digest or size the manifest promised. */
  static final class Mismatch extends IOException {
    Mismatch(String message) {
      super(message);
    }
  }

  private final OutputStream out;
  private final long start;
  private final long end;
  private final OciDigest expected;
  private final long expectedSize;
  private final MessageDigest digest = OciDigest.sha256();
  private long position;
  private int held = -1;

  VerifiedRange(OutputStream out, long start, long length, OciDigest expected, long expectedSize) {
    this.out = out;
    this.start = start;
    this.end = start + length;
    this.expected = expected;
    this.expectedSize = expectedSize;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    digest.update(b, off, len);
    long from = Math.max(position, start);
    long to = Math.min(position + len, end);
    if (from < to) {
      int a = off + (int) (from - position);
      int n = (int) (to - from);
      if (to == end) {
        // the range's last byte waits for the check
        held = b[a + n - 1] & 0xff;
        n--;
      }
      out.write(b, a, n);
    }
    position += len;
    if (position > expectedSize) {
      throw new Mismatch("the rendering is longer than the promised " + expectedSize + " bytes");
    }
  }

  /** Checks the whole rendering, then sends the held byte and ends the response. */
  void finish() throws IOException {
    if (position != expectedSize) {
      throw new Mismatch("the rendering has " + position + " bytes, " + expectedSize + " were promised");
    }
    OciDigest got = OciDigest.of(digest.digest());
    if (!got.equals(expected)) {
      throw new Mismatch("the rendering hashes to " + got + ", " + expected + " was promised");
    }
    if (held >= 0) {
      out.write(held);
    }
    out.close();
  }
}
