package dev.cairn.castore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * BLAKE3 throughput over a file, read in 1 MiB blocks as the blob writer sees data. Usage:
 * {@code Blake3Bench FILE [RUNS] [MODE]}, MODE one of
 * <ul>
 *   <li>{@code serial}: {@link Blake3} as the server runs it once warmed up (SIMD lanes when this
 *       JVM has {@code --add-modules jdk.incubator.vector}, else scalar), one thread (the
 *       default; from the first run, so run 1 includes the JIT's warm-up);
 *   <li>{@code parallel}: the same spread over the cores ({@code Blake3(true)});
 *   <li>{@code scalar}, {@code scalar-parallel}: the scalar code, whatever the JVM has;
 *   <li>{@code codec}: commons-codec's {@code Blake3}, the implementation before Cairn's own.
 * </ul>
 * The file is read once before the runs (page cache). Prints the hasher, then per run the
 * digest (hex, as b3sum), MB/s and the calling thread's CPU seconds. bench/blake3.sh compares them with {@code b3sum}.
 */
public final class Blake3Bench {
  private static final List<String> MODES = List.of("serial", "parallel", "scalar", "scalar-parallel", "codec");

  private Blake3Bench() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: Blake3Bench FILE [RUNS] [" + String.join("|", MODES) + "]");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    String mode = args.length > 2 ? args[2] : "serial";
    if (!MODES.contains(mode)) {
      System.err.println("MODE must be one of " + MODES);
      System.exit(2);
    }
    boolean parallel = mode.endsWith("parallel");
    boolean scalar = mode.startsWith("scalar");
    System.out.println("hasher: " + (mode.equals("codec") ? "commons-codec"
        : scalar ? "scalar" : Blake3.implementation()) + (parallel ? ", parallel" : ", one thread"));
    byte[] block = new byte[1 << 20];
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    for (int run = 1; run <= runs; run++) {
      long start = System.nanoTime();
      long cpuStart = threads.getCurrentThreadCpuTime();
      long bytes = 0;
      Blake3 hasher = mode.equals("codec") ? null
          : new Blake3(parallel, scalar ? null : Blake3Lanes.DETECTED.lanes());
      org.apache.commons.codec.digest.Blake3 codec =
          mode.equals("codec") ? org.apache.commons.codec.digest.Blake3.initHash() : null;
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        ByteBuffer buf = ByteBuffer.wrap(block);
        int n;
        while ((n = ch.read(buf.clear())) >= 0) {
          if (codec != null) {
            codec.update(block, 0, n);
          } else {
            hasher.update(block, 0, n);
          }
          bytes += n;
        }
      }
      B3Digest digest = B3Digest.of(codec != null ? codec.doFinalize(B3Digest.LENGTH) : hasher.digest());
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpu = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
      // The calling thread's CPU time (read syscalls included; helper threads of the parallel
      // modes not): on a busy machine the wall-clock MB/s is noise, this is not.
      System.out.printf("run %d: %s  %.1f MB/s (%d bytes, %.2f s; calling thread CPU %.3f s)%n",
          run, digest.hex(), bytes / 1e6 / seconds, bytes, seconds, cpu);
    }
  }
}
