package dev.cairn.castore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * BLAKE3 throughput of {@link Blake3Hasher} over a file, read in 1 MiB blocks as the blob
 * writer sees data. Usage: {@code Blake3Bench FILE [RUNS]}; prints the digest (hex, as b3sum)
 * and MB/s per run. bench/blake3.sh compares it with {@code b3sum --num-threads 1}.
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
    byte[] block = new byte[1 << 20];
    for (int run = 1; run <= runs; run++) {
      long start = System.nanoTime();
      long bytes = 0;
      Blake3Hasher hasher = new Blake3Hasher();
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        ByteBuffer buf = ByteBuffer.wrap(block);
        int n;
        while ((n = ch.read(buf.clear())) >= 0) {
          hasher.update(block, 0, n);
          bytes += n;
        }
      }
      B3Digest digest = hasher.digest();
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("run %d: %s  %.1f MB/s (%d bytes, %.2f s)%n",
          run, digest.hex(), bytes / 1e6 / seconds, bytes, seconds);
    }
  }
}
