package dev.cairn.store.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.Blake3Hasher;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The digests a collection marks come from the hasher, and this loop is how C2 (JDK 17.0.15,
 * G1) was caught compiling {@code Blake3.digest} into returning all-zero digests after some
 * 40,000 calls: kept as it was written, since the miscompilation depends on the code around it.
 */
class HasherUnderMarkingTest {
  private static B3Digest digest(int i) {
    return Blake3Hasher.hash(Integer.toString(i).getBytes());
  }

  @Test
  void manyDigestsOfSmallInputsStayDistinctOnceCompiled() {
    DigestSet set = new DigestSet();
    Set<B3Digest> reference = new HashSet<>();
    int bad = 0;
    String first = "";
    Map<B3Digest, Integer> seen = new HashMap<>();
    for (int i = 0; i < 50_000; i++) {
      B3Digest d = digest(i);
      Integer prev = seen.put(d, i);
      if (prev != null) {
        bad++;
        if (bad == 1) {
          first = "the digest of " + i + " equals that of " + prev + ": " + d;
        }
      }
      assertEquals(reference.add(d), set.add(d));
      if (i % 3 == 0) {
        assertFalse(set.add(d), "a second add reports it was there");
      }
    }
    assertEquals(0, bad, first);
    assertEquals(50_000, set.size());
  }
}
