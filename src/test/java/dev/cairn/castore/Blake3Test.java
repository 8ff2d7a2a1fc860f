package dev.cairn.castore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our BLAKE3 against commons-codec's reference port and against b3sum, for every tree shape. */
class Blake3Test {
  @TempDir
  Path tmp;

  private static byte[] reference(byte[] data) {
    return org.apache.commons.codec.digest.Blake3.hash(data);
  }

  @Test
  void knownVectors() {
    assertEquals("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262", Blake3Hasher.hash(new byte[0]).hex());
    assertEquals("5ca7815adcb484e9a136c11efe69c1d530176d549b5d18d038eb5280b4b3470c", Blake3Hasher.hash("Hello World!".getBytes()).hex());
  }

  @Test
  void equalsTheReferenceForEveryLengthAroundBlockAndChunkBoundaries() {
    Random r = new Random(11);
    int[] lengths = {0, 1, 63, 64, 65, 127, 128, 1023, 1024, 1025, 2047, 2048, 2049, 3072, 3073, 4096, 4097, 8191, 8192, 8193,
        16384, 31744, 102400, 1 << 20, (1 << 20) + 7, 3 * (1 << 20) + 1025};
    for (int n : lengths) {
      byte[] data = new byte[n];
      r.nextBytes(data);
      assertArrayEquals(reference(data), Blake3Hasher.hash(data).bytes(), "length " + n);
      Blake3Hasher h = new Blake3Hasher();
      int off = 0;
      while (off < n) {
        int k = Math.min(n - off, 1 + r.nextInt(3000));
        h.update(data, off, k);
        off += k;
      }
      assertArrayEquals(reference(data), h.digest().bytes(), "length " + n + " in random pieces");
    }
  }

  @Test
  void digestMidStreamThenContinue() {
    byte[] data = new byte[5000];
    new Random(3).nextBytes(data);
    Blake3Hasher h = new Blake3Hasher();
    h.update(data, 0, 2048);
    assertArrayEquals(reference(java.util.Arrays.copyOf(data, 2048)), h.digest().bytes());
    h.update(data, 2048, 5000 - 2048);
    assertArrayEquals(reference(data), h.digest().bytes());
  }

  @Test
  void equalsB3sumOnALargeFile() throws Exception {
    byte[] data = new byte[20_000_123];
    new Random(5).nextBytes(data);
    Path f = tmp.resolve("big");
    Files.write(f, data);
    Process p = new ProcessBuilder("b3sum", "--no-names", f.toString()).start();
    String b3 = new String(p.getInputStream().readAllBytes()).strip();
    assertEquals(0, p.waitFor());
    assertEquals(b3, HexFormat.of().formatHex(Blake3Hasher.hash(data).bytes()));
  }
}
