package dev.cairn.nix;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * A push parser and validator of NAR streams: feed bytes in chunks of any size (from a
 * blocking stream or a non-blocking one), get {@link NarVisitor} events. Memory is bounded
 * whatever the archive size: file contents stream through, and only keywords, names (≤255
 * bytes) and symlink targets (≤4095) are buffered. Only the canonical form that Nix writes
 * is accepted, so a parsed NAR re-renders to the same bytes.
 */
public final class NarParser {
  /** Deeper trees are refused: no real store path nests this deep, and renderers recurse. */
  public static final int MAX_DEPTH = 512;
  private static final int MAX_KEYWORD = 16;

  private enum Expect {
    MAGIC, NODE_OPEN, TYPE_KEYWORD, TYPE, REGULAR_NEXT, EXECUTABLE_EMPTY, CONTENTS_KEYWORD, CONTENTS,
    TARGET_KEYWORD, TARGET, DIRECTORY_NEXT, ENTRY_OPEN, NAME_KEYWORD, NAME, NODE_KEYWORD, NODE_CLOSE, ENTRY_CLOSE, DONE
  }

  private enum Phase { LENGTH, DATA, PADDING }

  private final NarVisitor visitor;
  private final ArrayDeque<byte[]> lastNames = new ArrayDeque<>();
  private final byte[] lengthBytes = new byte[8];
  private byte[] token = new byte[64];
  private Expect expect = Expect.MAGIC;
  private Phase phase = Phase.LENGTH;
  private int lengthFill;
  private long tokenLength;
  private long tokenFill;
  private int padding;
  private long tokenStart;
  private long offset;
  private boolean failed;

  public NarParser(NarVisitor visitor) {
    this.visitor = visitor;
  }

  /** Bytes consumed so far: after {@link #finish()}, the NAR size. */
  public long offset() {
    return offset;
  }

  public void feed(ByteBuffer buffer) throws IOException {
    if (buffer.hasArray()) {
      feed(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
      buffer.position(buffer.limit());
    } else {
      byte[] copy = new byte[Math.min(buffer.remaining(), 65536)];
      while (buffer.hasRemaining()) {
        int n = Math.min(copy.length, buffer.remaining());
        buffer.get(copy, 0, n);
        feed(copy, 0, n);
      }
    }
  }

  public void feed(byte[] bytes, int off, int len) throws IOException {
    if (failed) {
      throw new IllegalStateException("parser already failed");
    }
    try {
      feedUnchecked(bytes, off, len);
    } catch (IOException | RuntimeException e) {
      failed = true;
      throw e;
    }
  }

  private void feedUnchecked(byte[] bytes, int off, int len) throws IOException {
    int end = off + len;
    while (off < end) {
      if (expect == Expect.DONE) {
        throw new NarFormatException(offset, "trailing data after the end of the archive");
      }
      switch (phase) {
        case LENGTH: {
          int n = Math.min(8 - lengthFill, end - off);
          System.arraycopy(bytes, off, lengthBytes, lengthFill, n);
          lengthFill += n;
          off += n;
          offset += n;
          if (lengthFill == 8) {
            startToken(littleEndian(lengthBytes));
          }
          break;
        }
        case DATA: {
          int n = (int) Math.min(tokenLength - tokenFill, end - off);
          if (expect == Expect.CONTENTS) {
            visitor.fileContents(ByteBuffer.wrap(bytes, off, n));
          } else {
            System.arraycopy(bytes, off, token, (int) tokenFill, n);
          }
          tokenFill += n;
          off += n;
          offset += n;
          if (tokenFill == tokenLength) {
            endData();
          }
          break;
        }
        case PADDING: {
          while (padding > 0 && off < end) {
            if (bytes[off] != 0) {
              throw new NarFormatException(offset, "non-zero padding byte");
            }
            off++;
            offset++;
            padding--;
          }
          if (padding == 0) {
            completeToken();
          }
          break;
        }
        default:
          throw new IllegalStateException();
      }
    }
  }

  private static long littleEndian(byte[] b) {
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[i] & 0xff);
    }
    return v;
  }

  private void startToken(long length) throws IOException {
    tokenStart = offset - 8;
    lengthFill = 0;
    long max;
    switch (expect) {
      case CONTENTS:
        max = Long.MAX_VALUE;
        break;
      case NAME:
        max = NarNames.MAX_NAME;
        break;
      case TARGET:
        max = NarNames.MAX_TARGET;
        break;
      default:
        max = MAX_KEYWORD;
    }
    if (length < 0 || length > max) {
      throw new NarFormatException(tokenStart, (expect == Expect.NAME ? "entry name" : expect == Expect.TARGET ? "symlink target"
          : expect == Expect.CONTENTS ? "file" : "token where " + describe(expect) + " was expected")
          + " has length " + Long.toUnsignedString(length) + ", more than " + (max == Long.MAX_VALUE ? "2^63-1" : max));
    }
    tokenLength = length;
    tokenFill = 0;
    if (expect == Expect.CONTENTS) {
      visitor.fileStart(executable, length);
    } else if (token.length < length) {
      token = new byte[(int) Math.max(length, token.length * 2L)];
    }
    phase = Phase.DATA;
    if (length == 0) {
      endData();
    }
  }

  private void endData() throws IOException {
    padding = (int) ((8 - (tokenLength % 8)) % 8);
    phase = Phase.PADDING;
    if (padding == 0) {
      completeToken();
    }
  }

  private boolean executable;

  private boolean is(String keyword) {
    int n = keyword.length();
    if (tokenLength != n) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (token[i] != keyword.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private String tokenText() {
    int n = (int) Math.min(tokenLength, 40);
    return "\"" + new String(token, 0, n, StandardCharsets.UTF_8).replace("\n", "\\n") + (tokenLength > n ? "…" : "") + "\"";
  }

  private static String describe(Expect e) {
    switch (e) {
      case MAGIC: return "\"nix-archive-1\"";
      case NODE_OPEN: case ENTRY_OPEN: return "\"(\"";
      case TYPE_KEYWORD: return "\"type\"";
      case TYPE: return "a node type (regular, symlink, directory)";
      case REGULAR_NEXT: return "\"executable\" or \"contents\"";
      case EXECUTABLE_EMPTY: return "\"\" after \"executable\"";
      case CONTENTS_KEYWORD: return "\"contents\"";
      case TARGET_KEYWORD: return "\"target\"";
      case DIRECTORY_NEXT: return "\"entry\" or \")\"";
      case NAME_KEYWORD: return "\"name\"";
      case NODE_KEYWORD: return "\"node\"";
      case NODE_CLOSE: case ENTRY_CLOSE: return "\")\"";
      default: return e.name();
    }
  }

  private NarFormatException unexpected() {
    return new NarFormatException(tokenStart, "expected " + describe(expect) + ", got " + tokenText());
  }

  private void completeToken() throws IOException {
    phase = Phase.LENGTH;
    switch (expect) {
      case MAGIC:
        if (!is("nix-archive-1")) {
          throw new NarFormatException(tokenStart, "bad magic: expected \"nix-archive-1\", got " + tokenText());
        }
        expect = Expect.NODE_OPEN;
        break;
      case NODE_OPEN:
      case ENTRY_OPEN:
        if (!is("(")) {
          throw unexpected();
        }
        expect = expect == Expect.NODE_OPEN ? Expect.TYPE_KEYWORD : Expect.NAME_KEYWORD;
        break;
      case TYPE_KEYWORD:
        if (!is("type")) {
          throw unexpected();
        }
        expect = Expect.TYPE;
        break;
      case TYPE:
        if (is("regular")) {
          executable = false;
          expect = Expect.REGULAR_NEXT;
        } else if (is("symlink")) {
          expect = Expect.TARGET_KEYWORD;
        } else if (is("directory")) {
          if (lastNames.size() >= MAX_DEPTH) {
            throw new NarFormatException(tokenStart, "directories nested deeper than " + MAX_DEPTH);
          }
          lastNames.push(new byte[0]);
          visitor.directoryStart();
          expect = Expect.DIRECTORY_NEXT;
        } else {
          throw new NarFormatException(tokenStart, "unknown node type " + tokenText());
        }
        break;
      case REGULAR_NEXT:
        if (is("executable")) {
          executable = true;
          expect = Expect.EXECUTABLE_EMPTY;
        } else if (is("contents")) {
          expect = Expect.CONTENTS;
        } else {
          throw unexpected();
        }
        break;
      case EXECUTABLE_EMPTY:
        if (tokenLength != 0) {
          throw unexpected();
        }
        expect = Expect.CONTENTS_KEYWORD;
        break;
      case CONTENTS_KEYWORD:
        if (!is("contents")) {
          throw unexpected();
        }
        expect = Expect.CONTENTS;
        break;
      case CONTENTS:
        visitor.fileEnd();
        expect = Expect.NODE_CLOSE;
        break;
      case TARGET_KEYWORD:
        if (!is("target")) {
          throw unexpected();
        }
        expect = Expect.TARGET;
        break;
      case TARGET: {
        byte[] target = Arrays.copyOf(token, (int) tokenLength);
        String problem = NarNames.checkTarget(target);
        if (problem != null) {
          throw new NarFormatException(tokenStart, problem);
        }
        visitor.symlink(target);
        expect = Expect.NODE_CLOSE;
        break;
      }
      case DIRECTORY_NEXT:
        if (is("entry")) {
          expect = Expect.ENTRY_OPEN;
        } else if (is(")")) {
          lastNames.pop();
          visitor.directoryEnd();
          nodeClosed();
        } else {
          throw unexpected();
        }
        break;
      case NAME_KEYWORD:
        if (!is("name")) {
          throw unexpected();
        }
        expect = Expect.NAME;
        break;
      case NAME: {
        byte[] name = Arrays.copyOf(token, (int) tokenLength);
        String problem = NarNames.checkName(name);
        if (problem != null) {
          throw new NarFormatException(tokenStart, problem);
        }
        byte[] previous = lastNames.pop();
        if (previous.length > 0 && Arrays.compareUnsigned(previous, name) >= 0) {
          throw new NarFormatException(tokenStart, "entry " + tokenText() + (Arrays.equals(previous, name) ? " is a duplicate"
              : " is not sorted after \"" + new String(previous, StandardCharsets.UTF_8) + "\""));
        }
        lastNames.push(name);
        visitor.entryStart(name);
        expect = Expect.NODE_KEYWORD;
        break;
      }
      case NODE_KEYWORD:
        if (!is("node")) {
          throw unexpected();
        }
        expect = Expect.NODE_OPEN;
        break;
      case NODE_CLOSE:
        if (!is(")")) {
          throw unexpected();
        }
        nodeClosed();
        break;
      case ENTRY_CLOSE:
        if (!is(")")) {
          throw unexpected();
        }
        visitor.entryEnd();
        expect = Expect.DIRECTORY_NEXT;
        break;
      default:
        throw new IllegalStateException(expect.name());
    }
  }

  private void nodeClosed() throws IOException {
    if (lastNames.isEmpty()) {
      expect = Expect.DONE;
      visitor.end();
    } else {
      expect = Expect.ENTRY_CLOSE;
    }
  }

  /** Call at the end of input: fails if the archive is incomplete. */
  public void finish() throws NarFormatException {
    if (expect != Expect.DONE) {
      throw new NarFormatException(offset, "truncated: input ended while expecting " + describe(expect)
          + (phase == Phase.LENGTH && lengthFill == 0 ? "" : " (inside a token)"));
    }
  }

  /** The NAR's sha256 and size. */
  public record Summary(Hash narHash, long narSize) {}

  /** Parses a whole stream, hashing it on the way. */
  public static Summary parse(InputStream in, NarVisitor visitor) throws IOException {
    MessageDigest sha256 = HashAlgorithm.SHA256.newDigest();
    NarParser parser = new NarParser(visitor);
    byte[] buffer = new byte[1 << 17];
    int n;
    while ((n = in.read(buffer)) >= 0) {
      sha256.update(buffer, 0, n);
      parser.feed(buffer, 0, n);
    }
    parser.finish();
    return new Summary(new Hash(HashAlgorithm.SHA256, sha256.digest()), parser.offset());
  }

  /** Validates without acting on anything. */
  public static Summary validate(InputStream in) throws IOException {
    return parse(in, NarVisitor.IGNORE);
  }
}
