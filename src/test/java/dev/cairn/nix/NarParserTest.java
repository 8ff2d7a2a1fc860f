package dev.cairn.nix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NarParserTest {
  /** Builds NAR token streams by hand, so malformed ones can be made. */
  static final class Tokens {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Tokens raw(byte[] b) {
      out.writeBytes(b);
      return this;
    }

    Tokens len(long n) {
      for (int i = 0; i < 8; i++) {
        out.write((int) (n >>> (8 * i)) & 0xff);
      }
      return this;
    }

    Tokens bytes(byte[] b) {
      len(b.length);
      out.writeBytes(b);
      out.writeBytes(new byte[(8 - b.length % 8) % 8]);
      return this;
    }

    Tokens s(String... tokens) {
      for (String t : tokens) {
        bytes(t.getBytes(StandardCharsets.UTF_8));
      }
      return this;
    }

    byte[] get() {
      return out.toByteArray();
    }
  }

  static Tokens nar() {
    return new Tokens().s("nix-archive-1");
  }

  static byte[] file(String contents) {
    return nar().s("(", "type", "regular", "contents", contents, ")").get();
  }

  static byte[] dir(String... names) {
    Tokens t = nar().s("(", "type", "directory");
    for (String n : names) {
      t.s("entry", "(", "name", n, "node", "(", "type", "regular", "contents", "", ")", ")");
    }
    return t.s(")").get();
  }

  static NarParser.Summary parse(byte[] nar) throws IOException {
    return NarParser.validate(new ByteArrayInputStream(nar));
  }

  static Stream<Arguments> malformed() {
    byte[] good = file("hello");
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
    byte[] badPadding = file("hello");
    badPadding[badPadding.length - 8 - 8 - 1] = 1; // last padding byte of the contents
    byte[] trailing = java.util.Arrays.copyOf(good, good.length + 8);
    List<Arguments> cases = new ArrayList<>(List.of(
        Arguments.of("bad magic", new Tokens().s("nix-archive-2", "(").get(), "bad magic"),
        Arguments.of("empty input", new byte[0], "truncated"),
        Arguments.of("magic only", nar().get(), "truncated"),
        Arguments.of("truncated inside contents", truncated, "truncated"),
        Arguments.of("truncated inside a length", java.util.Arrays.copyOf(good, 20), "truncated"),
        Arguments.of("non-zero padding", badPadding, "non-zero padding"),
        Arguments.of("trailing garbage", trailing, "trailing data"),
        Arguments.of("unknown node type", nar().s("(", "type", "fifo", ")").get(), "unknown node type"),
        Arguments.of("missing open paren", nar().s("type", "regular").get(), "expected \"(\""),
        Arguments.of("missing type keyword", nar().s("(", "kind", "regular").get(), "expected \"type\""),
        Arguments.of("regular without contents", nar().s("(", "type", "regular", ")").get(), "expected \"executable\" or \"contents\""),
        Arguments.of("executable marker not empty", nar().s("(", "type", "regular", "executable", "x", "contents", "", ")").get(),
            "after \"executable\""),
        Arguments.of("executable without contents", nar().s("(", "type", "regular", "executable", "", ")").get(), "expected \"contents\""),
        Arguments.of("unsorted entries", dir("b", "a"), "not sorted"),
        Arguments.of("duplicate entries", dir("a", "a"), "duplicate"),
        Arguments.of("dot entry", dir("."), "must not be . or .."),
        Arguments.of("dotdot entry", dir(".."), "must not be . or .."),
        Arguments.of("slash in name", dir("a/b"), "contains '/'"),
        Arguments.of("NUL in name", dir("a\0b"), "contains NUL"),
        Arguments.of("empty name", dir(""), "entry name is empty"),
        Arguments.of("overlong name", dir("x".repeat(256)), "more than 255"),
        Arguments.of("empty symlink target", nar().s("(", "type", "symlink", "target", "", ")").get(), "symlink target is empty"),
        Arguments.of("NUL in symlink target", nar().s("(", "type", "symlink", "target", "a\0b", ")").get(), "contains NUL"),
        Arguments.of("overlong symlink target", nar().s("(", "type", "symlink", "target", "t".repeat(4096), ")").get(), "more than 4095"),
        Arguments.of("symlink without target keyword", nar().s("(", "type", "symlink", "to", "x", ")").get(), "expected \"target\""),
        Arguments.of("entry without name keyword", nar().s("(", "type", "directory", "entry", "(", "nom", "a").get(), "expected \"name\""),
        Arguments.of("entry without node keyword", nar().s("(", "type", "directory", "entry", "(", "name", "a", "nod").get(),
            "expected \"node\""),
        Arguments.of("garbage in directory", nar().s("(", "type", "directory", "file").get(), "expected \"entry\" or \")\""),
        Arguments.of("huge keyword length", nar().len(1L << 40).get(), "more than 16"),
        Arguments.of("negative (u64 high bit) keyword length", nar().len(-1L).get(), "has length 18446744073709551615"),
        Arguments.of("huge name length", nar().s("(", "type", "directory", "entry", "(", "name").len(1L << 33).get(), "more than 255"),
        Arguments.of("extra token after contents", nar().s("(", "type", "regular", "contents", "x", "extra", ")").get(), "expected \")\""),
        Arguments.of("entry not closed", nar().s("(", "type", "directory", "entry", "(", "name", "a", "node",
            "(", "type", "regular", "contents", "", ")", "entry").get(), "expected \")\"")));
    Tokens deep = nar();
    for (int i = 0; i <= NarParser.MAX_DEPTH; i++) {
      deep.s("(", "type", "directory", "entry", "(", "name", "d", "node");
    }
    cases.add(Arguments.of("excessive depth", deep.get(), "nested deeper than"));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void rejectsMalformedNarNamingTheRule(String what, byte[] nar, String rule) {
    NarFormatException e = assertThrows(NarFormatException.class, () -> parse(nar));
    assertTrue(e.getMessage().contains(rule), what + ": " + e.getMessage());
    assertTrue(e.getMessage().startsWith("NAR offset " + e.offset() + ": "), e.getMessage());
    assertTrue(e.offset() >= 0 && e.offset() <= nar.length, what);
  }

  @Test
  void reportsTheOffsetOfTheOffendingToken() {
    NarFormatException e = assertThrows(NarFormatException.class, () -> parse(dir("b", "a")));
    // magic(24) ( type directory (3x16) entry ( name(3x16) b(16) node(16) ( type regular contents(4x16)+len(8) ) ) entry ( name
    byte[] prefix = nar().s("(", "type", "directory", "entry", "(", "name", "b", "node", "(", "type", "regular", "contents", "", ")", ")",
        "entry", "(", "name").get();
    assertEquals(prefix.length, e.offset());
  }

  @Test
  void theEmptyDirectoryNarIs96Bytes() throws IOException {
    byte[] nar = nar().s("(", "type", "directory", ")").get();
    assertEquals(96, nar.length);
    assertEquals(96, parse(nar).narSize());
  }

  @Test
  void parseThenWriteReproducesTheBytesForAnyChunking() throws IOException {
    Tokens t = nar().s("(", "type", "directory",
        "entry", "(", "name", "bin", "node", "(", "type", "directory",
        "entry", "(", "name", "tool", "node", "(", "type", "regular", "executable", "", "contents", "#!/bin/sh\necho hi\n", ")", ")",
        ")", ")",
        "entry", "(", "name", "link", "node", "(", "type", "symlink", "target", "bin/tool", ")", ")",
        "entry", "(", "name", "z", "node", "(", "type", "regular", "contents", "0123456789abcdef01234", ")", ")",
        ")");
    byte[] nar = t.get();
    Random r = new Random(7);
    for (int round = 0; round < 50; round++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      NarWriter w = new NarWriter(out);
      NarParser p = new NarParser(w);
      int off = 0;
      while (off < nar.length) {
        int n = Math.min(nar.length - off, 1 + r.nextInt(round < 10 ? 3 : 200));
        p.feed(ByteBuffer.wrap(nar, off, n));
        off += n;
      }
      p.finish();
      assertArrayEquals(nar, out.toByteArray());
      assertEquals(nar.length, p.offset());
    }
  }

  @Test
  void hashesWhatItParses() throws IOException {
    byte[] nar = file("hello");
    NarParser.Summary s = parse(nar);
    assertEquals(Hash.of(HashAlgorithm.SHA256, HashAlgorithm.SHA256.newDigest().digest(nar)), s.narHash());
    assertEquals(nar.length, s.narSize());
  }

  @Test
  void parsesAHugeFileInConstantMemory() throws IOException {
    long size = 3L << 30; // 3 GiB of zeros, never materialised
    byte[] head = nar().s("(", "type", "regular", "contents").len(size).get();
    byte[] tail = new Tokens().s(")").get();
    InputStream in = new InputStream() {
      long pos;
      final long total = head.length + size + tail.length;

      @Override
      public int read() {
        throw new UnsupportedOperationException();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (pos >= total) {
          return -1;
        }
        int n = (int) Math.min(len, total - pos);
        for (int i = 0; i < n; i++) {
          long p = pos + i;
          b[off + i] = p < head.length ? head[(int) p] : p < head.length + size ? 0 : tail[(int) (p - head.length - size)];
        }
        pos += n;
        return n;
      }
    };
    long[] seen = new long[1];
    NarVisitor counter = new NarVisitor() {
      @Override public void directoryStart() {}
      @Override public void entryStart(byte[] name) {}
      @Override public void entryEnd() {}
      @Override public void directoryEnd() {}
      @Override public void fileStart(boolean executable, long s) {}
      @Override public void fileContents(ByteBuffer chunk) {
        seen[0] += chunk.remaining();
      }
      @Override public void fileEnd() {}
      @Override public void symlink(byte[] target) {}
    };
    NarParser p = new NarParser(counter);
    byte[] buf = new byte[1 << 20];
    int n;
    while ((n = in.read(buf, 0, buf.length)) >= 0) {
      p.feed(buf, 0, n);
    }
    p.finish();
    assertEquals(size, seen[0]);
  }

  @Test
  void writerRefusesUnsortedEntriesAndWrongSizes() throws IOException {
    NarWriter w = new NarWriter(new ByteArrayOutputStream());
    w.directoryStart();
    w.entryStart("b".getBytes(StandardCharsets.UTF_8));
    w.symlink("x".getBytes(StandardCharsets.UTF_8));
    w.entryEnd();
    assertThrows(IllegalArgumentException.class, () -> w.entryStart("a".getBytes(StandardCharsets.UTF_8)));
    NarWriter w2 = new NarWriter(new ByteArrayOutputStream());
    w2.fileStart(false, 3);
    w2.fileContents(ByteBuffer.wrap(new byte[2]));
    assertThrows(IllegalStateException.class, w2::fileEnd);
  }
}
