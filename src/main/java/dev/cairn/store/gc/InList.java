package dev.cairn.store.gc;

import dev.cairn.castore.B3Digest;
import java.util.Collections;
import java.util.List;

/**
 * {@code IN (?, ?, …)} lists of digests. Collection works in pages of at most {@link #MAX}
 * digests, so every statement stays far below the parameter limits of both dialects.
 */
final class InList {
  static final int MAX = 500;

  private InList() {}

  static String of(int n) {
    return "(" + String.join(", ", Collections.nCopies(n, "?")) + ")";
  }

  static Object[] params(List<B3Digest> digests, Object... before) {
    Object[] out = new Object[before.length + digests.size()];
    System.arraycopy(before, 0, out, 0, before.length);
    for (int i = 0; i < digests.size(); i++) {
      out[before.length + i] = digests.get(i).bytes();
    }
    return out;
  }
}
