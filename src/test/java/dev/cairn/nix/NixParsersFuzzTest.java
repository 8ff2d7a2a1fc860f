package dev.cairn.nix;

import dev.cairn.validation.ValidationException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Generated malformed input for the Nix format parsers (fixed seeds, bounded rounds): random
 * mutations of a valid narinfo and of a valid NAR. Each either parses or is refused with the
 * parser's own error (ValidationException, NarFormatException) — never another exception,
 * never a hang, never unbounded memory from a forged length.
 */
class NixParsersFuzzTest {
  private static final int ROUNDS = 4000;

  static final String NARINFO = "StorePath: /nix/store/00bgd045z0d4icpbc2yyz4gx48ak44la-x\n"
      + "URL: nar/1w1fff338fvdw53sqgamddn1b2xgds473pv6y13gizdbqjv4i5p3.nar.xz\n"
      + "Compression: xz\n"
      + "FileHash: sha256:1w1fff338fvdw53sqgamddn1b2xgds473pv6y13gizdbqjv4i5p3\n"
      + "FileSize: 4029176\n"
      + "NarHash: sha256:094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic\n"
      + "NarSize: 18735072\n"
      + "References: 00bgd045z0d4icpbc2yyz4gx48ak44la-x 0d71ygfwbmy1xjlbj1v027dfmy9cqavy-libffi-3.3\n"
      + "Deriver: 5p0b2dv1bq2gdnz8j2mnwsh8r6wfz0fs-x.drv\n"
      + "Sig: cache.nixos.org-1:" + java.util.Base64.getEncoder().encodeToString(new byte[64]) + "\n"
      + "CA: fixed:r:sha256:1w1fff338fvdw53sqgamddn1b2xgds473pv6y13gizdbqjv4i5p3\n";

  private static final String NASTY = "\u0000\r\n\t\u007f\u0085\ud800 :;/\\%\"'<>é漢\uFFFF";

  @Test
  void mutatedNarinfosParseOrAreRefusedWithAValidationError() {
    NarInfo.parse(NARINFO);
    Random random = new Random(0x5eed_0001L);
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      int refused = 0;
      for (int round = 0; round < ROUNDS; round++) {
        String text = mutateText(NARINFO, random);
        try {
          NarInfo info = NarInfo.parse(text);
          // Whatever parses renders to a narinfo that parses to the same value.
          assertEquals(info, NarInfo.parse(info.render()), text);
          assertTrue(info.render().chars().noneMatch(c -> c != '\n' && Character.isISOControl(c)), "no control character rendered: " + text);
        } catch (ValidationException e) {
          refused++;
        } catch (RuntimeException e) {
          fail("narinfo parser threw " + e + " for: " + text);
        }
      }
      assertTrue(refused > ROUNDS / 2, "most mutations are refused: " + refused);
    });
  }

  @Test
  void mutatedNarsParseOrAreRefusedWithANarFormatException() throws Exception {
    byte[] valid = validNar();
    NarParser.validate(new ByteArrayInputStream(valid));
    Random random = new Random(0x5eed_0002L);
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      int refused = 0;
      for (int round = 0; round < ROUNDS; round++) {
        byte[] nar = mutateBytes(valid, random);
        try {
          NarParser.validate(new ByteArrayInputStream(nar));
        } catch (NarFormatException e) {
          refused++;
        } catch (Exception | OutOfMemoryError e) {
          fail("NAR parser threw " + e + " at round " + round);
        }
      }
      assertTrue(refused > ROUNDS / 2, "most mutations are refused: " + refused);
    });
  }

  static String mutateText(String seed, Random random) {
    StringBuilder b = new StringBuilder(seed);
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits; e++) {
      int at = b.isEmpty() ? 0 : random.nextInt(b.length());
      switch (random.nextInt(8)) {
        case 0 -> b.insert(at, NASTY.charAt(random.nextInt(NASTY.length())));
        case 1 -> b.delete(at, Math.min(b.length(), at + 1 + random.nextInt(20)));
        case 2 -> b.setLength(at);
        case 3 -> {
          int end = Math.min(b.length(), at + 1 + random.nextInt(60));
          b.insert(random.nextInt(b.length() + 1), b.substring(at, end));
        }
        case 4 -> b.insert(at, "9".repeat(1 + random.nextInt(30)));
        case 5 -> b.insert(at, "\nNarSize: -1\n");
        case 6 -> {
          if (!b.isEmpty()) {
            b.setCharAt(at, (char) random.nextInt(0x3000));
          }
        }
        default -> b.insert(at, "x".repeat(random.nextInt(5000)));
      }
    }
    return b.toString();
  }

  static byte[] mutateBytes(byte[] seed, Random random) {
    byte[] b = seed.clone();
    switch (random.nextInt(5)) {
      case 0 -> {
        int flips = 1 + random.nextInt(4);
        for (int i = 0; i < flips; i++) {
          b[random.nextInt(b.length)] = (byte) random.nextInt(256);
        }
      }
      case 1 -> b = java.util.Arrays.copyOf(b, random.nextInt(b.length));
      case 2 -> {
        // A forged length field: the parser must not trust it with memory.
        int at = random.nextInt(b.length / 8) * 8;
        ByteBuffer.wrap(b, at, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(random.nextBoolean() ? Long.MAX_VALUE - random.nextInt(100)
            : random.nextLong());
      }
      case 3 -> {
        int from = random.nextInt(b.length);
        int len = Math.min(b.length - from, 1 + random.nextInt(64));
        byte[] out = new byte[b.length + len];
        System.arraycopy(b, 0, out, 0, from + len);
        System.arraycopy(b, from, out, from + len, b.length - from);
        b = out;
      }
      default -> {
        int at = random.nextInt(b.length);
        int len = Math.min(b.length - at, 1 + random.nextInt(32));
        byte[] out = new byte[b.length - len];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, at + len, out, at, b.length - at - len);
        b = out;
      }
    }
    return b;
  }

  /** A NAR with a directory, an executable, a regular file and a symlink, in NAR's framing. */
  static byte[] validNar() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String s : new String[] {"nix-archive-1", "(", "type", "directory",
        "entry", "(", "name", "bin", "node", "(", "type", "directory",
        "entry", "(", "name", "tool", "node", "(", "type", "regular", "executable", "", "contents", "#!/bin/sh\necho hi\n", ")", ")",
        ")", ")",
        "entry", "(", "name", "link", "node", "(", "type", "symlink", "target", "bin/tool", ")", ")",
        "entry", "(", "name", "z", "node", "(", "type", "regular", "contents", "0123456789abcdef01234", ")", ")",
        ")"}) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(bytes.length).array());
      out.writeBytes(bytes);
      out.writeBytes(new byte[(8 - bytes.length % 8) % 8]);
    }
    return out.toByteArray();
  }
}
