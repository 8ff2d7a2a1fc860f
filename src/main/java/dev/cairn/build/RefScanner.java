package dev.cairn.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Which needles occur in a tree's file contents or symlink targets — never in names (WIRE.md
 * §3). Files are read in pieces; the last {@code longest-1} bytes of a piece are kept in front of
 * the next, so a needle spanning a read boundary is found. A needle found once is not looked for
 * again.
 */
final class RefScanner {
  private static final int READ = 1 << 16;
  private final List<byte[]> needles;
  private final int longest;

  RefScanner(List<byte[]> needles) {
    this.needles = needles;
    this.longest = needles.stream().mapToInt(n -> n.length).max().orElse(0);
  }

  /** The indices (into the needle list) found under {@code tree}, ascending. */
  List<Long> scan(Path tree) throws IOException {
    BitSet found = new BitSet(needles.size());
    if (needles.isEmpty()) {
      return List.of();
    }
    Files.walkFileTree(tree, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (attrs.isSymbolicLink()) {
          byte[] target = Files.readSymbolicLink(file).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
          search(target, target.length, found);
        } else if (attrs.isRegularFile()) {
          scanFile(file, found);
        }
        return found.cardinality() == needles.size() ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
      }
    });
    if (Files.isSymbolicLink(tree)) {
      byte[] target = Files.readSymbolicLink(tree).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      search(target, target.length, found);
    }
    List<Long> out = new ArrayList<>();
    found.stream().forEach(i -> out.add((long) i));
    return out;
  }

  private void scanFile(Path file, BitSet found) throws IOException {
    int keep = Math.max(0, longest - 1);
    byte[] window = new byte[keep + READ];
    int filled = 0;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      int n;
      while ((n = in.read(window, filled, window.length - filled)) > 0) {
        filled += n;
        if (filled < window.length) {
          continue;
        }
        search(window, filled, found);
        System.arraycopy(window, filled - keep, window, 0, keep);
        filled = keep;
      }
    }
    search(window, filled, found);
  }

  void search(byte[] data, int length, BitSet found) {
    for (int i = 0; i < needles.size(); i++) {
      if (!found.get(i) && contains(data, length, needles.get(i))) {
        found.set(i);
      }
    }
  }

  private static boolean contains(byte[] data, int length, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (data[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
