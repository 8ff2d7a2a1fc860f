package dev.cairn.castore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Blake3Test {
  private static final int[] LENGTHS = {
    0, 1, 63, 64, 65, 1023, 1024, 1025, 2048, 2049, 3072, 8193, 31744, 102400, (1 << 20) + 7
  };

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static byte[] random(long seed, int len) {
    byte[] b = new byte[len];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] codec(byte[] data) {
    return org.apache.commons.codec.digest.Blake3.hash(data);
  }

  @Test
  void officialVectors() {
    assertEquals(
        "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
        hex(Blake3.hash(new byte[0])));
    assertEquals(
        "5ca7815adcb484e9a136c11efe69c1d530176d549b5d18d038eb5280b4b3470c",
        hex(Blake3.hash("Hello World!".getBytes(StandardCharsets.UTF_8))));
  }

  /** The official test vectors' input: byte i is i mod 251. */
  @Test
  void officialVectorInputPattern() {
    byte[] data = new byte[102400];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i % 251);
    }
    // From the BLAKE3 test_vectors.json (hash mode, first 32 bytes).
    assertEquals(
        "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213",
        hex(Blake3.hash(java.util.Arrays.copyOf(data, 1))));
    for (int len : LENGTHS) {
      if (len <= data.length) {
        assertEquals(hex(codec(java.util.Arrays.copyOf(data, len))),
            hex(Blake3.hash(java.util.Arrays.copyOf(data, len))), "len " + len);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void matchesCommonsCodecInRandomSizedUpdates(boolean parallel) {
    Random rnd = new Random(42);
    for (int len : LENGTHS) {
      byte[] data = random(len, len);
      String expected = hex(codec(data));
      assertEquals(expected, hex(new Blake3(parallel).update(data, 0, len).digest()), "one update, len " + len);
      for (int trial = 0; trial < 3; trial++) {
        Blake3 h = new Blake3(parallel);
        int max = trial == 0 ? 70 : trial == 1 ? 3000 : 400_000;
        for (int off = 0; off < len; ) {
          int n = Math.min(len - off, rnd.nextInt(max + 1));
          h.update(data, off, n);
          off += n;
        }
        assertEquals(expected, hex(h.digest()), "len " + len + ", max update " + max);
      }
    }
  }

  /** Large single updates take the parallel path at several chunk alignments. */
  @Test
  void parallelEqualsSerial() {
    byte[] data = random(7, (5 << 20) + 333);
    String expected = hex(codec(data));
    assertEquals(expected, hex(new Blake3(true).update(data, 0, data.length).digest()));
    for (int head : new int[] {1, 1024, 1025, 5 * 1024, 65 * 1024 + 3, (1 << 20) - 1}) {
      Blake3 h = new Blake3(true).update(data, 0, head);
      h.update(data, head, data.length - head);
      assertEquals(expected, hex(h.digest()), "head " + head);
      Blake3 s = new Blake3(false).update(data, 0, head);
      s.update(data, head, data.length - head);
      assertEquals(expected, hex(s.digest()), "serial, head " + head);
    }
  }

  @Test
  void byteBuffersHeapAndDirect() {
    byte[] data = random(3, 300_001);
    Blake3 h = new Blake3();
    h.update(ByteBuffer.wrap(data, 0, 1));
    h.update(ByteBuffer.wrap(data, 0, 70_001).slice().position(1));
    ByteBuffer direct = ByteBuffer.allocateDirect(230_000).put(data, 70_001, 230_000).flip();
    h.update(direct);
    assertEquals(0, direct.remaining());
    assertEquals(hex(codec(data)), hex(h.digest()));
  }

  @Test
  void digestMidStreamThenContinue() {
    byte[] data = random(9, 200_000);
    Blake3 h = new Blake3();
    int[] cuts = {0, 1, 64, 1024, 1025, 4096, 65_536, 100_001, 200_000};
    int prev = 0;
    for (int cut : cuts) {
      h.update(data, prev, cut - prev);
      prev = cut;
      byte[] prefix = java.util.Arrays.copyOf(data, cut);
      assertEquals(hex(codec(prefix)), hex(h.digest()), "prefix " + cut);
      assertEquals(hex(codec(prefix)), hex(h.digest()), "again, prefix " + cut);
    }
    h.reset();
    assertEquals(hex(codec(new byte[0])), hex(h.digest()));
    h.update(data, 0, 5000);
    assertEquals(hex(codec(java.util.Arrays.copyOf(data, 5000))), hex(h.digest()));
  }

  @Test
  void matchesB3sum(@TempDir Path dir) throws Exception {
    Path b3sum = Path.of("/usr/bin/b3sum");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(b3sum), "no b3sum");
    byte[] data = random(20, 20_000_000);
    Path file = dir.resolve("random.bin");
    Files.write(file, data);
    Process p = new ProcessBuilder(b3sum.toString(), "--no-names", file.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor(60, TimeUnit.SECONDS);
    assertEquals(0, p.exitValue(), out);
    assertEquals(out, hex(new Blake3().update(data, 0, data.length).digest()));
    assertEquals(out, hex(new Blake3(true).update(data, 0, data.length).digest()));
    Blake3 h = new Blake3(true);
    for (int off = 0; off < data.length; off += 1 << 20) {
      h.update(data, off, Math.min(1 << 20, data.length - off));
    }
    assertArrayEquals(out.getBytes(StandardCharsets.US_ASCII), hex(h.digest()).getBytes(StandardCharsets.US_ASCII));
  }
}
