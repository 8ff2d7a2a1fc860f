package dev.cairn.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/** Hashes (SHA-256) and counts what is written, and passes it on to {@code next} (or drops it). */
final class HashingOutput extends OutputStream {
  final MessageDigest digest = OciDigest.sha256();
  long count;
  private final OutputStream next;

  HashingOutput(OutputStream next) {
    this.next = next;
  }

  /** Keeps nothing: digest and size only. */
  HashingOutput() {
    this(OutputStream.nullOutputStream());
  }

  @Override
  public void write(int b) throws IOException {
    digest.update((byte) b);
    count++;
    next.write(b);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    digest.update(b, off, len);
    count += len;
    next.write(b, off, len);
  }

  @Override
  public void flush() throws IOException {
    next.flush();
  }

  @Override
  public void close() throws IOException {
    next.close();
  }

  OciDigest oci() {
    return OciDigest.of(digest.digest());
  }
}
