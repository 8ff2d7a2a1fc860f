package dev.cairn.castore;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * BLAKE3 throughput over a file. Usage: {@code Blake3Bench FILE [RUNS] [MODE] [LARGE_MIB]}, MODE one of
 * <ul>
 *   <li>{@code serial}: {@link Blake3} as the server runs it once warmed up (SIMD lanes when this
 *       JVM has {@code --add-modules jdk.incubator.vector}, else scalar), one thread, 1 MiB reads
 *       as the blob writer sees data (the default; from the first run, so run 1 includes the
 *       JIT's warm-up);
 *   <li>{@code parallel}: the same spread over the cores ({@code Blake3(true)}), 1 MiB updates;
 *   <li>{@code parallel-large}: the same with 64 MiB updates, the next one read on a second
 *       thread while the cores hash the current one: how a large buffer in memory (or a file read
 *       ahead) is hashed on all cores, each core one subtree;
 *   <li>{@code scalar}, {@code scalar-parallel}: the scalar code, whatever the JVM has;
 *   <li>{@code codec}: commons-codec's {@code Blake3}, the implementation before Cairn's own.
 * </ul>
 * The file is read once before the runs (page cache). Prints the hasher, then per run the
 * digest (hex, as b3sum), MB/s, the calling thread's and the process's CPU seconds.
 * bench/blake3.sh compares them with {@code b3sum}.
 */
public final class Blake3Bench {
  private static final List<String> MODES =
      List.of("serial", "parallel", "parallel-large", "scalar", "scalar-parallel", "codec");

  private Blake3Bench() {}

  public static void main(String[] args) throws IOException, InterruptedException, ExecutionException {
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
    boolean parallel = mode.contains("parallel");
    boolean scalar = mode.startsWith("scalar");
    boolean large = mode.endsWith("large");
    int blockSize = (large && args.length > 3 ? Integer.parseInt(args[3]) : large ? 64 : 1) << 20;
    System.out.println("hasher: " + (mode.equals("codec") ? "commons-codec"
        : scalar ? "scalar" : Blake3.implementation()) + (parallel ? ", parallel" : ", one thread")
        + ", " + (blockSize >> 20) + " MiB updates" + (large ? ", the next read ahead" : ""));
    byte[][] blocks = {new byte[blockSize], new byte[large ? blockSize : 0]};
    ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "bench-reader");
      t.setDaemon(true);
      return t;
    });
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    for (int run = 1; run <= runs; run++) {
      long start = System.nanoTime();
      long cpuStart = threads.getCurrentThreadCpuTime();
      long processStart = os.getProcessCpuTime();
      long bytes = 0;
      Blake3 hasher = mode.equals("codec") ? null
          : new Blake3(parallel, scalar ? null : Blake3Lanes.DETECTED.lanes());
      org.apache.commons.codec.digest.Blake3 codec =
          mode.equals("codec") ? org.apache.commons.codec.digest.Blake3.initHash() : null;
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        int cur = 0;
        int n = fill(ch, blocks[cur]);
        while (n > 0) {
          int other = large ? 1 - cur : cur;
          // Large: the next block is read on the reader thread while this one is hashed.
          Future<Integer> next = large ? reader.submit(() -> fill(ch, blocks[other])) : null;
          if (codec != null) {
            codec.update(blocks[cur], 0, n);
          } else {
            hasher.update(blocks[cur], 0, n);
          }
          bytes += n;
          n = large ? next.get() : fill(ch, blocks[cur]);
          cur = other;
        }
      }
      B3Digest digest = B3Digest.of(codec != null ? codec.doFinalize(B3Digest.LENGTH) : hasher.digest());
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpu = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
      double process = (os.getProcessCpuTime() - processStart) / 1e9;
      // On a busy machine the wall-clock MB/s is noise, CPU time is not: the calling thread's
      // (read syscalls included; not the helper and reader threads) and the whole process's
      // (JIT and GC included).
      System.out.printf("run %d: %s  %.1f MB/s (%d bytes, %.2f s; calling thread CPU %.3f s, process CPU %.3f s)%n",
          run, digest.hex(), bytes / 1e6 / seconds, bytes, seconds, cpu, process);
    }
  }

  /** Reads until {@code block} is full or the file ends; the bytes read (0 at the end). */
  private static int fill(FileChannel ch, byte[] block) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(block);
    while (buf.hasRemaining() && ch.read(buf) >= 0) {
      // FileChannel.read may return fewer bytes than asked
    }
    return buf.position();
  }
}
