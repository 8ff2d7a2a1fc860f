package dev.cairn.store.gc;

import dev.cairn.castore.B3Digest;
import java.nio.ByteBuffer;

/**
 * The digests garbage collection has marked reachable, held compactly: the first 128 bits of
 * each BLAKE3 digest in an open-addressing table of {@code long}s, about 16–32 bytes per digest
 * (load factor 0.5–0.75) instead of the ~100 a {@code HashSet<B3Digest>} costs. Two distinct
 * digests sharing a 128-bit prefix would count as one (the second would be neither walked nor
 * swept differently from the first): for BLAKE3 the chance of that among 10⁹ digests is about
 * 10⁻²¹, far below the rate of undetected hardware errors, so the prefix is treated as the identity.
 */
final class DigestSet {
  private long[] table = new long[2 * 1024];
  private int size;

  /** Adds {@code digest}; true when it was not in the set before. */
  boolean add(B3Digest digest) {
    ByteBuffer b = ByteBuffer.wrap(digest.bytes());
    long hi = b.getLong();
    long lo = b.getLong();
    if (hi == 0 && lo == 0) {
      // (0, 0) marks an empty slot; such a digest is as unlikely as a collision, but keep it exact.
      lo = 1;
    }
    if ((size + 1) * 4L > (table.length / 2) * 3L) {
      grow();
    }
    if (!insert(table, hi, lo)) {
      return false;
    }
    size++;
    return true;
  }

  boolean contains(B3Digest digest) {
    ByteBuffer b = ByteBuffer.wrap(digest.bytes());
    long hi = b.getLong();
    long lo = b.getLong();
    if (hi == 0 && lo == 0) {
      lo = 1;
    }
    int slots = table.length / 2;
    for (int i = slot(hi, slots); ; i = (i + 1) & (slots - 1)) {
      long h = table[2 * i];
      long l = table[2 * i + 1];
      if (h == 0 && l == 0) {
        return false;
      }
      if (h == hi && l == lo) {
        return true;
      }
    }
  }

  int size() {
    return size;
  }

  private static boolean insert(long[] table, long hi, long lo) {
    int slots = table.length / 2;
    for (int i = slot(hi, slots); ; i = (i + 1) & (slots - 1)) {
      long h = table[2 * i];
      long l = table[2 * i + 1];
      if (h == 0 && l == 0) {
        table[2 * i] = hi;
        table[2 * i + 1] = lo;
        return true;
      }
      if (h == hi && l == lo) {
        return false;
      }
    }
  }

  /** The digest bits are uniformly distributed already: the low bits of the first word index the table. */
  private static int slot(long hi, int slots) {
    return (int) (hi & (slots - 1));
  }

  private void grow() {
    long[] bigger = new long[table.length * 2];
    for (int i = 0; i < table.length; i += 2) {
      if (table[i] != 0 || table[i + 1] != 0) {
        insert(bigger, table[i], table[i + 1]);
      }
    }
    table = bigger;
  }
}
