package dev.cairn.castore;

import java.util.ArrayDeque;

/**
 * Byte arrays of one size, handed out again once given back, so that ingest does not allocate
 * (and the JVM zero and fault in) a fresh large array per piece, window or chunk: at ~1 MiB they
 * are humongous objects in G1, allocated outside the young generation. Bounded: at most
 * {@code maxPooled} idle arrays are kept; when none is idle a new one is allocated, so a caller
 * never waits and the heap holds at most the pool plus what is in use.
 */
public final class ArrayPool {
  private final int arraySize;
  private final int maxPooled;
  private final ArrayDeque<byte[]> idle = new ArrayDeque<>();

  public ArrayPool(int arraySize, int maxPooled) {
    this.arraySize = arraySize;
    this.maxPooled = maxPooled;
  }

  public int arraySize() {
    return arraySize;
  }

  /** An array of {@link #arraySize} bytes, not zeroed (it may hold a previous user's bytes). */
  public synchronized byte[] take() {
    byte[] a = idle.poll();
    return a != null ? a : new byte[arraySize];
  }

  /** Gives {@code array} back; the caller must not touch it afterwards. Other sizes are dropped. */
  public synchronized void give(byte[] array) {
    if (array.length == arraySize && idle.size() < maxPooled) {
      idle.push(array);
    }
  }
}
