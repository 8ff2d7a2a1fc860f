package dev.cairn.nix;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Throughput of our NAR code on a real tree, for bench/nar-throughput.sh:
 * {@code dump TREE OUT}, {@code parse NAR} (validate + sha256), {@code restore NAR DIR}.
 * Prints MB/s of NAR bytes.
 */
public final class NarBench {
  private NarBench() {}

  public static void main(String[] args) throws IOException {
    long start = System.nanoTime();
    long bytes;
    switch (args[0]) {
      case "dump": {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(Path.of(args[2])), 1 << 17)) {
          bytes = NarWriter.dump(Path.of(args[1]), out);
        }
        break;
      }
      case "parse": {
        try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
          bytes = NarParser.validate(in).narSize();
        }
        break;
      }
      case "restore": {
        // Like nix-store --restore: no hashing, just parse and write the tree.
        try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
          NarParser parser = new NarParser(new NarRestorer(Path.of(args[2])));
          byte[] buffer = new byte[1 << 17];
          int n;
          while ((n = in.read(buffer)) >= 0) {
            parser.feed(buffer, 0, n);
          }
          parser.finish();
          bytes = parser.offset();
        }
        break;
      }
      default:
        throw new IllegalArgumentException("usage: NarBench dump TREE OUT | parse NAR | restore NAR DIR");
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("%s: %d bytes in %.2f s = %.0f MB/s%n", args[0], bytes, seconds, bytes / seconds / 1e6);
  }
}
