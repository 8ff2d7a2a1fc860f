package dev.cairn.castore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * BLAKE3 throughput over a file, read in 1 MiB blocks as the blob writer sees data. Usage:
 * {@code Blake3Bench FILE [RUNS] [MODE]}, MODE = {@code serial} ({@link Blake3Hasher} on one
 * thread, the default), {@code parallel} ({@link Blake3Hasher} using the fork-join pool) or
 * {@code codec} (commons-codec's {@code Blake3}, the previous implementation); prints the digest
 * (hex, as b3sum) and MB/s per run. bench/blake3.sh compares them with {@code b3sum}.
 */
public final class Blake3Bench {
  private Blake3Bench() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: Blake3Bench FILE [RUNS]");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    String mode = args.length > 2 ? args[2] : "serial";
    if (!mode.equals("serial") && !mode.equals("parallel") && !mode.equals("codec")) {
      System.err.println("MODE must be serial, parallel or codec");
      System.exit(2);
    }
    byte[] block = new byte[1 << 20];
    for (int run = 1; run <= runs; run++) {
      long start = System.nanoTime();
      long bytes = 0;
      Blake3Hasher hasher = mode.equals("codec") ? null : new Blake3Hasher(mode.equals("parallel"));
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
      B3Digest digest =
          codec != null ? B3Digest.of(codec.doFinalize(B3Digest.LENGTH)) : hasher.digest();
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("run %d: %s  %.1f MB/s (%d bytes, %.2f s)%n",
          run, digest.hex(), bytes / 1e6 / seconds, bytes, seconds);
    }
  }
}
