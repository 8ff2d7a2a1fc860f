package dev.cairn.castore.chunks;

import java.util.ArrayDeque;

/**
 * Arrays that chunk files are read into, handed back once nothing refers to their bytes any more,
 * so that a render does not allocate (zero, then collect) a new array for every chunk it reads:
 * that cost as much CPU as reading a trusted chunk file itself (bench/README.md, "h-render2").
 *
 * <p>Arrays come in sizes of whole {@link #STEP}s, at most {@link #MAX_POOLED} bytes (a larger
 * request gets a new array of its exact size, never kept), and at most {@code maxRetained} bytes
 * of them wait here; beyond that a returned array is left to the garbage collector. An array
 * must be given back only when no view of it is left anywhere: its next holder overwrites it.
 */
public final class ChunkBuffers {
  /** Size classes: chunk files of 64 KiB..1 MiB (plus the codec header) waste at most 64 KiB each. */
  static final int STEP = 64 << 10;
  static final int MAX_POOLED = 2 << 20;

  /** Arrays of the exact size asked for, never kept: for reads whose bytes may be kept anywhere. */
  public static final ChunkBuffers NONE = new ChunkBuffers(0);

  private final long maxRetained;
  private final ArrayDeque<byte[]>[] free;
  private long retained;

  @SuppressWarnings("unchecked")
  public ChunkBuffers(long maxRetained) {
    this.maxRetained = maxRetained;
    this.free = new ArrayDeque[MAX_POOLED / STEP];
    for (int i = 0; i < free.length; i++) {
      free[i] = new ArrayDeque<>();
    }
  }

  /** An array of at least {@code n} bytes, with any content. */
  public byte[] take(int n) {
    int steps = (n + STEP - 1) / STEP;
    if (maxRetained == 0 || n == 0 || steps > free.length) {
      return new byte[n];
    }
    synchronized (this) {
      byte[] a = free[steps - 1].poll();
      if (a != null) {
        retained -= a.length;
        return a;
      }
    }
    return new byte[steps * STEP];
  }

  /** Takes back an array from {@link #take}: the caller and every view of it are done with it. */
  public void give(byte[] a) {
    if (maxRetained == 0 || a.length == 0 || a.length % STEP != 0 || a.length > MAX_POOLED) {
      return;
    }
    synchronized (this) {
      if (retained + a.length <= maxRetained) {
        free[a.length / STEP - 1].push(a);
        retained += a.length;
      }
    }
  }

  /** Bytes waiting to be taken again. */
  synchronized long retained() {
    return retained;
  }
}
