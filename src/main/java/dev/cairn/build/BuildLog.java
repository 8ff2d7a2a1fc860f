package dev.cairn.build;

import java.util.Arrays;

/**
 * A build's combined stdout and stderr: the latest {@code capacity} bytes, addressed by their
 * offset in the whole stream so a follower can ask for "everything after offset N" while the
 * build runs (bytes that fell out of the window are skipped, and the follower told where it now is).
 */
public final class BuildLog {
  /** Bytes from {@code offset}; {@code next} is where to continue; {@code finished} once nothing more will come. */
  public record Piece(long offset, byte[] bytes, long next, boolean finished) {}

  private final byte[] ring;
  private long total;
  private boolean finished;

  BuildLog(int capacity) {
    this.ring = new byte[capacity];
  }

  synchronized void append(byte[] data, int off, int len) {
    for (int i = 0; i < len; i++) {
      ring[(int) ((total + i) % ring.length)] = data[off + i];
    }
    total += len;
  }

  synchronized void finish() {
    finished = true;
  }

  public synchronized long size() {
    return total;
  }

  public synchronized Piece read(long from, int max) {
    long start = Math.max(from, Math.max(0, total - ring.length));
    int n = (int) Math.min(max, Math.max(0, total - start));
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      out[i] = ring[(int) ((start + i) % ring.length)];
    }
    return new Piece(start, out, start + n, finished && start + n == total);
  }

  /** The last {@code max} bytes, for a failure reason. */
  public synchronized String tail(int max) {
    Piece p = read(Math.max(0, total - max), max);
    return new String(Arrays.copyOf(p.bytes(), p.bytes().length), java.nio.charset.StandardCharsets.UTF_8);
  }
}
