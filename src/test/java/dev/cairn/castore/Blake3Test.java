package dev.cairn.castore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.IntVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every hasher configuration (scalar or SIMD lanes, serial or parallel) gives the official
 * BLAKE3 digests and b3sum's, at every length and tree shape, in one update or in streaming
 * updates of odd sizes. The test JVM runs with {@code --add-modules jdk.incubator.vector}
 * (surefire argLine); {@link #fallsBackToScalarWithoutTheModuleAndRuns256BitLanes} starts
 * JVMs without the module and with 256-bit vectors only.
 */
class Blake3Test {
  enum Config {
    SCALAR(false, false), SCALAR_PARALLEL(true, false), SIMD(false, true), SIMD_PARALLEL(true, true);

    final boolean parallel;
    final boolean simd;

    Config(boolean parallel, boolean simd) {
      this.parallel = parallel;
      this.simd = simd;
    }

    Blake3 hasher() {
      return new Blake3(parallel, simd ? lanes() : null);
    }
  }

  /** Lengths around block, chunk, lane group (8, 16 chunks), batch (256) and piece boundaries. */
  private static final int[] LENGTHS = {
    0, 1, 63, 64, 65, 1023, 1024, 1025, 2048, 2049, 3 * 1024 + 1, 4 * 1024, 4 * 1024 + 1,
    7 * 1024 + 5, 8 * 1024, 8 * 1024 + 1, 9 * 1024 + 7, 15 * 1024 + 3, 16 * 1024, 16 * 1024 + 1,
    17 * 1024 + 64, 31 * 1024 + 1, 33 * 1024, 100 * 1024 + 9, 255 * 1024 + 1, 256 * 1024,
    256 * 1024 + 1, 257 * 1024 + 999, 300 * 1024 + 1, 511 * 1024 + 77, 513 * 1024 + 1,
    (1 << 20) + 7, 3 * (1 << 20) + 5 * 1024 + 11
  };

  private static Blake3Lanes lanes() {
    Blake3Lanes lanes = Blake3Lanes.DETECTED.lanes();
    assertNotNull(lanes, "no SIMD lanes in the test JVM: " + Blake3.implementation());
    return lanes;
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static byte[] random(long seed, int len) {
    byte[] b = new byte[len];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] pattern(int len) {
    byte[] data = new byte[len];
    for (int i = 0; i < len; i++) {
      data[i] = (byte) (i % 251);
    }
    return data;
  }

  /** src/test/resources/blake3/official-vectors.txt: input length → digest. */
  static Map<Integer, String> officialVectors() throws IOException {
    Map<Integer, String> vectors = new LinkedHashMap<>();
    try (InputStream in = Blake3Test.class.getResourceAsStream("/blake3/official-vectors.txt")) {
      assertNotNull(in, "blake3/official-vectors.txt");
      for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) {
          String[] f = line.trim().split(" ");
          vectors.put(Integer.parseInt(f[0]), f[1]);
        }
      }
    }
    return vectors;
  }

  /** Feeds {@code data} in updates of sizes cycling through {@code sizes}. */
  private static byte[] streamed(Blake3 h, byte[] data, int... sizes) {
    int i = 0;
    for (int off = 0; off < data.length; i++) {
      int n = Math.min(data.length - off, sizes[i % sizes.length]);
      h.update(data, off, n);
      off += n;
    }
    return h.digest();
  }

  /** Update sizes that straddle blocks, chunks, lane groups and batches. */
  private static final int[][] ODD_UPDATES = {
    {1}, {7, 1}, {63, 65}, {1023}, {1025, 3}, {4097, 13}, {16 * 1024 + 1, 511}, {65_537}, {262_145, 17}
  };

  /** And once warmed up, the hashers the server creates use them. */
  @Test
  void simdLanesAreUsedWhereTheCpuHasWideVectors() throws InterruptedException {
    if (IntVector.SPECIES_PREFERRED.vectorBitSize() >= 256) {
      assertTrue(Blake3.implementation().startsWith("SIMD"), Blake3.implementation());
      assertEquals(Math.min(16, IntVector.SPECIES_PREFERRED.length()), lanes().lanes());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (Blake3Lanes.ready() == null && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertEquals(lanes(), Blake3Lanes.ready(), "warm-up of the SIMD lanes did not finish in 120 s");
    } else {
      assertTrue(Blake3.implementation().startsWith("scalar"), Blake3.implementation());
    }
  }

  @ParameterizedTest
  @EnumSource(Config.class)
  void officialVectorsInOneUpdateAndStreamed(Config config) throws IOException {
    Map<Integer, String> vectors = officialVectors();
    assertEquals(22, vectors.size());
    for (Map.Entry<Integer, String> v : vectors.entrySet()) {
      byte[] data = pattern(v.getKey());
      assertEquals(v.getValue(), hex(config.hasher().update(data).digest()), "len " + v.getKey());
      for (int[] sizes : ODD_UPDATES) {
        assertEquals(v.getValue(), hex(streamed(config.hasher(), data, sizes)),
            "len " + v.getKey() + ", updates " + Arrays.toString(sizes));
      }
    }
  }

  @Test
  void matchesB3sumOnRandomInputsOfManyLengths(@TempDir Path dir) throws Exception {
    List<byte[]> inputs = new ArrayList<>();
    List<String> files = new ArrayList<>();
    Random rnd = new Random(4242);
    for (int len : LENGTHS) {
      inputs.add(random(len, len));
    }
    for (int i = 0; i < 12; i++) {
      int len = rnd.nextInt(i < 8 ? 40_000 : 2_000_000);
      inputs.add(random(1000 + i, len));
    }
    for (int i = 0; i < inputs.size(); i++) {
      Path f = dir.resolve("in-" + i);
      Files.write(f, inputs.get(i));
      files.add(f.toString());
    }
    List<String> expected = b3sum(files);
    for (int i = 0; i < inputs.size(); i++) {
      byte[] data = inputs.get(i);
      for (Config config : Config.values()) {
        String what = config + ", len " + data.length;
        assertEquals(expected.get(i), hex(config.hasher().update(data).digest()), what);
        Blake3 h = config.hasher();
        for (int off = 0; off < data.length; ) {
          int n = Math.min(data.length - off, rnd.nextInt(rnd.nextBoolean() ? 3000 : 400_000) + 1);
          h.update(data, off, n);
          off += n;
        }
        assertEquals(expected.get(i), hex(h.digest()), what + ", random updates");
      }
    }
  }

  /** b3sum's digests of the files, in order (one process for all). */
  static List<String> b3sum(List<String> files) throws Exception {
    Path b3sum = Path.of("/usr/bin/b3sum");
    assertTrue(Files.isExecutable(b3sum), "b3sum is required (scripts/test.sh installs it)");
    List<String> cmd = new ArrayList<>(List.of(b3sum.toString(), "--no-names"));
    cmd.addAll(files);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    List<String> digests = List.of(out.split("\n"));
    assertEquals(files.size(), digests.size(), out);
    return digests;
  }

  /** Large single updates take the parallel path at several chunk alignments. */
  @ParameterizedTest
  @EnumSource(Config.class)
  void sameDigestWhateverTheFirstUpdateSize(Config config) {
    byte[] data = random(7, (5 << 20) + 333);
    String expected = hex(new Blake3(false, null).update(data).digest());
    assertEquals(expected, hex(config.hasher().update(data).digest()));
    for (int head : new int[] {1, 1024, 1025, 5 * 1024, 65 * 1024 + 3, (1 << 20) - 1}) {
      Blake3 h = config.hasher().update(data, 0, head);
      h.update(data, head, data.length - head);
      assertEquals(expected, hex(h.digest()), "head " + head);
    }
  }

  /**
   * Back-to-back 1 MiB updates (the helper still polling from the previous one) of several MiB
   * with an odd tail, by two streams at once (one may find the helper busy and hash alone).
   */
  @ParameterizedTest
  @EnumSource(Config.class)
  void streamedMegabyteUpdatesOnTwoThreads(Config config) throws Exception {
    byte[] data = random(11, (9 << 20) + 4097);
    String expected = hex(new Blake3(false, null).update(data).digest());
    java.util.concurrent.Callable<String> stream = () -> {
      Blake3 h = config.hasher();
      for (int off = 0; off < data.length; off += 1 << 20) {
        h.update(data, off, Math.min(1 << 20, data.length - off));
      }
      return hex(h.digest());
    };
    java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      for (int round = 0; round < 3; round++) {
        java.util.concurrent.Future<String> second = other.submit(stream);
        assertEquals(expected, stream.call(), "round " + round);
        assertEquals(expected, second.get(60, TimeUnit.SECONDS), "round " + round + ", second stream");
      }
    } finally {
      other.shutdownNow();
    }
  }

  /**
   * Lengths of 2^k chunks ± 1 byte (k = 8..12: the parallel split's part cut falls on or next to
   * a subtree boundary), in one update, after an unaligned head, and streamed in updates of many
   * sizes; parallel and serial give the scalar serial digest.
   */
  @ParameterizedTest
  @EnumSource(Config.class)
  void sameDigestAcrossTheParallelSubtreeSplit(Config config) {
    byte[] data = random(13, (4 << 20) + 1025);
    int[][] updates = {{1 << 20}, {(256 << 10) + 1}, {(512 << 10) - 1, 3}, {(2 << 20) + 1023}, {(1 << 20) - 1024}};
    for (int k = 8; k <= 12; k++) {
      for (int delta : new int[] {-1025, -1, 0, 1, 1024}) {
        int len = (1024 << k) + delta;
        byte[] in = Arrays.copyOf(data, len);
        String expected = hex(new Blake3(false, null).update(in).digest());
        String what = config + ", len 2^" + k + " chunks " + (delta < 0 ? "" : "+") + delta;
        assertEquals(expected, hex(config.hasher().update(in).digest()), what);
        for (int head : new int[] {1, 1024 * 3 + 5, 1024 * 257}) {
          Blake3 h = config.hasher().update(in, 0, Math.min(head, len));
          h.update(in, Math.min(head, len), len - Math.min(head, len));
          assertEquals(expected, hex(h.digest()), what + ", head " + head);
        }
        for (int[] sizes : updates) {
          assertEquals(expected, hex(streamed(config.hasher(), in, sizes)), what + ", updates " + Arrays.toString(sizes));
        }
      }
    }
  }

  /**
   * A parallel update's work: one contiguous part per thread (cut on lane-batch multiples if large),
   * each a run of aligned power-of-two subtrees that together cover the update in order.
   */
  @Test
  void parallelSplitCoversTheUpdateWithAlignedSubtreesPerPart() {
    long[] firsts = {0, 1, 255, 256, 1023, 1024, 3 * 1024 + 17, (1L << 32) - 5};
    int[] counts = {256, 300, 511, 512, 1023, 1024, 4095, 1 << 20, (1 << 21) - 1};
    for (long first : firsts) {
      for (int chunks : counts) {
        for (int threads = 1; threads <= 4; threads++) {
          Blake3.Split s = Blake3.Split.of(first, chunks, threads);
          String what = "first " + first + ", chunks " + chunks + ", threads " + threads;
          assertTrue(s.parts() >= 1 && s.parts() <= threads, what);
          assertEquals(Math.min(threads, 2), Math.min(s.parts(), 2), what + ": both cores get work");
          long c = first;
          for (int k = 0; k < s.pieces(); k++) {
            int size = s.sizes()[k];
            assertEquals(c, s.starts()[k], what);
            assertEquals(1, Integer.bitCount(size), what);
            assertEquals(0, c & (size - 1), what + ": subtree at " + c + " of " + size + " is unaligned");
            c += size;
          }
          assertEquals(first + chunks, c, what);
          for (int p = 1; p < s.parts(); p++) {
            long cut = s.starts()[s.partStart()[p]];
            assertEquals(0, cut % (chunks >= 512 * threads ? 256 : 64), what + ": cut at " + cut);
            long partChunks = (p + 1 < s.parts() ? s.starts()[s.partStart()[p + 1]] : first + chunks) - cut;
            assertTrue(partChunks >= chunks / (2L * threads), what + ": part " + p + " of " + partChunks);
          }
        }
      }
    }
    Blake3.Split whole = Blake3.Split.of(0, (1 << 20) - 1, 2);
    assertEquals(1 << 19, whole.sizes()[0], "1 GiB in one update: the first part is one 512 MiB subtree");
    assertEquals(1, whole.partStart()[1]);
  }

  @ParameterizedTest
  @EnumSource(Config.class)
  void byteBuffersHeapAndDirect(Config config) {
    byte[] data = random(3, 300_001);
    Blake3 h = config.hasher();
    h.update(ByteBuffer.wrap(data, 0, 1));
    h.update(ByteBuffer.wrap(data, 0, 70_001).slice().position(1));
    ByteBuffer direct = ByteBuffer.allocateDirect(230_000).put(data, 70_001, 230_000).flip();
    h.update(direct);
    assertEquals(0, direct.remaining());
    assertEquals(hex(new Blake3(false, null).update(data).digest()), hex(h.digest()));
  }

  @ParameterizedTest
  @EnumSource(Config.class)
  void digestMidStreamThenContinue(Config config) {
    byte[] data = random(9, 600_000);
    Blake3 h = config.hasher();
    int[] cuts = {0, 1, 64, 1024, 1025, 4096, 20_000, 65_536, 100_001, 370_000, 600_000};
    int prev = 0;
    for (int cut : cuts) {
      h.update(data, prev, cut - prev);
      prev = cut;
      String prefix = hex(new Blake3(false, null).update(Arrays.copyOf(data, cut)).digest());
      assertEquals(prefix, hex(h.digest()), "prefix " + cut);
      assertEquals(prefix, hex(h.digest()), "again, prefix " + cut);
    }
    h.reset();
    assertEquals("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262", hex(h.digest()));
  }

  /** The scalar hasher also agrees with commons-codec (the implementation it replaced). */
  @Test
  void scalarMatchesCommonsCodec() {
    for (int len : LENGTHS) {
      byte[] data = random(len + 1, len);
      assertEquals(hex(org.apache.commons.codec.digest.Blake3.hash(data)),
          hex(new Blake3(false, null).update(data).digest()), "len " + len);
    }
  }

  /**
   * Without {@code --add-modules jdk.incubator.vector} the scalar hasher runs (no linkage
   * error); with 256-bit vectors only ({@code -XX:UseAVX=2}) the 8-lane SIMD path runs; with
   * 128-bit ones ({@code -XX:UseAVX=1}) the scalar one. All give the official digests
   * ({@link Blake3VectorsMain}).
   */
  @Test
  void fallsBackToScalarWithoutTheModuleAndRuns256BitLanes() throws Exception {
    String noModule = runVectorsMain(List.of());
    assertTrue(noModule.contains("hasher: scalar (module jdk.incubator.vector not enabled"), noModule);
    assertTrue(noModule.contains("official vectors: 22 ok"), noModule);
    if (IntVector.SPECIES_PREFERRED.vectorBitSize() >= 256) {
      String avx2 = runVectorsMain(List.of("--add-modules", "jdk.incubator.vector", "-XX:UseAVX=2"));
      assertTrue(avx2.contains("hasher: SIMD, 256-bit vectors (8 lanes)"), avx2);
      assertTrue(avx2.contains("official vectors: 22 ok"), avx2);
      String sse = runVectorsMain(List.of("--add-modules", "jdk.incubator.vector", "-XX:UseAVX=1"));
      assertTrue(sse.contains("hasher: scalar (this CPU or JVM has no 256-bit vectors)"), sse);
      assertTrue(sse.contains("official vectors: 22 ok"), sse);
    }
  }

  private static String runVectorsMain(List<String> jvmArgs) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Blake3VectorsMain.class.getName()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
