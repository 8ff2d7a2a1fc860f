package dev.cairn.castore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FastCdcTest {
  final FastCdc cdc = new FastCdc(FastCdc.Params.DEFAULT);

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  List<Integer> chunk(byte[] data) {
    List<Integer> sizes = new ArrayList<>();
    int off = 0;
    while (off < data.length) {
      int n = cdc.cut(data, off, data.length - off);
      sizes.add(n);
      off += n;
    }
    return sizes;
  }

  @Test
  void chunksStayWithinMinAndMaxAndAverageNearTarget() {
    List<Integer> sizes = chunk(random(32 << 20, 1));
    for (int i = 0; i < sizes.size() - 1; i++) {
      assertTrue(sizes.get(i) >= 64 << 10 && sizes.get(i) <= 1 << 20, "chunk " + i + ": " + sizes.get(i));
    }
    double mean = (32 << 20) / (double) sizes.size();
    assertTrue(mean > 160 << 10 && mean < 400 << 10, "mean chunk size " + mean);
  }

  @Test
  void dataBelowTheMinimumIsOneChunk() {
    assertEquals(List.of(12), chunk(new byte[12]));
    assertEquals(List.of(64 << 10), chunk(random(64 << 10, 2)));
  }

  @Test
  void boundariesResynchronizeAfterAnInsertion() {
    byte[] data = random(8 << 20, 3);
    byte[] shifted = new byte[data.length + 100];
    System.arraycopy(data, 0, shifted, 100, data.length);
    List<Integer> a = chunk(data);
    List<Integer> b = chunk(shifted);
    // All but the first couple of chunks are identical.
    assertEquals(a.subList(2, a.size()), b.subList(b.size() - (a.size() - 2), b.size()));
  }

  @Test
  void rejectsInconsistentParameters() {
    assertThrows(IllegalArgumentException.class, () -> new FastCdc.Params(1024, 1000, 4096));
    assertThrows(IllegalArgumentException.class, () -> new FastCdc.Params(4096, 2048, 8192));
  }
}
