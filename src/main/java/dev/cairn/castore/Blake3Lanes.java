package dev.cairn.castore;

import java.util.Arrays;
import java.util.logging.Logger;

/**
 * Compresses many BLAKE3 chunks, or many parent nodes, at once in SIMD lanes. Chaining values
 * are "word-major": word w of chaining value i is at {@code cvs[w * stride + i]}. Whole lane
 * groups are written: an array receiving n values at index idx must hold {@code idx + n}
 * rounded up to {@link #lanes()} per word row.
 *
 * <p>The one implementation, {@code Blake3Simd}, needs the incubator module {@code
 * jdk.incubator.vector} (Java 17: {@code --add-modules jdk.incubator.vector} on the java
 * command line) and 256-bit or wider vectors; {@link #detect()} loads it reflectively so that
 * a JVM without the module runs the scalar {@link Blake3} instead of failing to link.
 */
interface Blake3Lanes {
  int lanes();

  /** What hashes, for the startup log. */
  String describe();

  /** Chaining values of the {@code n} whole chunks at {@code in[off..]}, the first numbered {@code counter}. */
  void chunkCvs(byte[] in, int off, int n, long counter, int[] cvs, int stride, int idx);

  /**
   * The {@code n} parents of chaining values {@code inIdx + 2i} and {@code inIdx + 2i + 1}
   * of {@code in}, written at {@code 0..n-1} of {@code out}.
   */
  void parentCvs(int[] in, int inStride, int inIdx, int n, int[] out, int outStride);

  /** The SIMD lanes of this JVM and CPU, or why there are none. */
  record Detected(Blake3Lanes lanes, String description) {}

  String MODULE = "jdk.incubator.vector";

  /** Set at class initialisation (first use of {@link Blake3}). */
  Detected DETECTED = detect();

  /**
   * The lanes once their code is compiled, else null (the scalar code). Until the JIT has
   * compiled it, the Vector API runs as plain Java objects at a few MB/s, slower than the
   * scalar hasher: {@link #detect()} starts a background thread that hashes {@link
   * Warmup#BYTES} in lanes first. Either way the digests are the same.
   */
  static Blake3Lanes ready() {
    return Warmup.done ? DETECTED.lanes() : null;
  }

  /** The lanes' warm-up: one daemon thread, {@code cairn-blake3-warmup}, once per JVM. */
  final class Warmup {
    /** Measured: the first 64 MiB ran at 40 MB/s of CPU, the next at 600–1000, then 1300+. */
    static final int BYTES = 48 << 20;
    static volatile boolean done;

    private Warmup() {}

    static void start(Blake3Lanes lanes) {
      Thread t = new Thread(() -> {
        byte[] block = new byte[64 * 1024];
        Blake3 h = new Blake3(false, lanes);
        for (int n = 0; n < BYTES; n += block.length) {
          h.update(block);
        }
        h.digest();
        done = true;
      }, "cairn-blake3-warmup");
      t.setDaemon(true);
      t.start();
    }
  }

  private static Detected detect() {
    if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
      return new Detected(null, "scalar (module " + MODULE + " not enabled: add --add-modules " + MODULE
          + " to the java command line for SIMD)");
    }
    Blake3Lanes lanes;
    try {
      lanes = (Blake3Lanes) Class.forName("dev.cairn.castore.Blake3Simd")
          .getDeclaredMethod("create").invoke(null);
    } catch (ReflectiveOperationException | LinkageError e) {
      return new Detected(null, "scalar (SIMD hasher did not load: " + e + ")");
    }
    if (lanes == null) {
      return new Detected(null, "scalar (this CPU or JVM has no 256-bit vectors)");
    }
    // Vectors the JIT does not compile run in a very slow Java fallback, and a miscompiled
    // kernel would be worse: the lanes must agree with the scalar hasher before they are used.
    byte[] probe = new byte[(2 * lanes.lanes() + 3) * 1024 + 1];
    for (int i = 0; i < probe.length; i++) {
      probe[i] = (byte) (i * 31 + (i >>> 8));
    }
    byte[] scalar = new Blake3(false, null).update(probe).digest();
    byte[] simd = new Blake3(false, lanes).update(probe).digest();
    if (!Arrays.equals(scalar, simd)) {
      Logger.getLogger("cairn.castore").severe("BLAKE3 SIMD self-test failed; using the scalar hasher");
      return new Detected(null, "scalar (SIMD self-test failed)");
    }
    Warmup.start(lanes);
    return new Detected(lanes, lanes.describe() + ", after a warm-up of " + (Warmup.BYTES >> 20) + " MiB");
  }
}
