package dev.cairn.store.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.castore.B3Digest;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DigestSetTest {
  /** Distinct pseudo-random digests (the set only needs uniformly distributed bits). */
  private static B3Digest digest(int i) {
    byte[] b = new byte[32];
    new Random(i).nextBytes(b);
    return B3Digest.of(b);
  }

  @Test
  void holdsWhatWasAddedAcrossGrowthAndNothingElse() {
    DigestSet set = new DigestSet();
    Set<B3Digest> reference = new HashSet<>();
    for (int i = 0; i < 50_000; i++) {
      B3Digest d = digest(i);
      assertEquals(reference.add(d), set.add(d));
      if (i % 3 == 0) {
        assertFalse(set.add(d), "a second add reports it was there");
      }
    }
    assertEquals(50_000, set.size());
    for (int i = 0; i < 50_000; i++) {
      assertTrue(set.contains(digest(i)));
    }
    for (int i = 50_000; i < 60_000; i++) {
      assertFalse(set.contains(digest(i)));
    }
  }

  @Test
  void aDigestOfZeroPrefixIsStoredLikeAnyOther() {
    DigestSet set = new DigestSet();
    B3Digest zero = B3Digest.of(new byte[32]);
    assertFalse(set.contains(zero));
    assertTrue(set.add(zero));
    assertTrue(set.contains(zero));
    assertFalse(set.add(zero));
  }
}
