package dev.cairn.nix;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The one NAR writer. Events in (it is a {@link NarVisitor}, so parse → write copies an
 * archive), canonical NAR bytes out; it checks names, order and file sizes as it goes, so
 * it cannot produce an archive {@link NarParser} would refuse.
 */
public final class NarWriter implements NarVisitor {
  private static final byte[] ZEROS = new byte[8];
  private final OutputStream out;
  private final byte[] scratch = new byte[8];
  private final ArrayDeque<byte[]> lastNames = new ArrayDeque<>();
  private boolean started;
  private long remaining = -1;
  private long written;

  /** {@code out} should be buffered; the writer issues many small writes. */
  public NarWriter(OutputStream out) {
    this.out = out;
  }

  /** Bytes written so far. */
  public long size() {
    return written;
  }

  private void raw(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    written += len;
  }

  private void u64(long v) throws IOException {
    for (int i = 0; i < 8; i++) {
      scratch[i] = (byte) (v >>> (8 * i));
    }
    raw(scratch, 0, 8);
  }

  private void pad(long len) throws IOException {
    int p = (int) ((8 - (len % 8)) % 8);
    if (p > 0) {
      raw(ZEROS, 0, p);
    }
  }

  private void bytes(byte[] b) throws IOException {
    u64(b.length);
    raw(b, 0, b.length);
    pad(b.length);
  }

  private void str(String s) throws IOException {
    bytes(s.getBytes(StandardCharsets.US_ASCII));
  }

  private void nodeStart(String type) throws IOException {
    if (!started) {
      started = true;
      str("nix-archive-1");
    }
    if (remaining >= 0) {
      throw new IllegalStateException("a node started inside a file");
    }
    str("(");
    str("type");
    str(type);
  }

  @Override
  public void directoryStart() throws IOException {
    nodeStart("directory");
    lastNames.push(new byte[0]);
  }

  @Override
  public void entryStart(byte[] name) throws IOException {
    String problem = NarNames.checkName(name);
    if (problem != null) {
      throw new IllegalArgumentException(problem + ": \"" + new String(name, StandardCharsets.UTF_8) + "\"");
    }
    byte[] previous = lastNames.pop();
    if (previous.length > 0 && Arrays.compareUnsigned(previous, name) >= 0) {
      throw new IllegalArgumentException("entry \"" + new String(name, StandardCharsets.UTF_8) + "\" is not sorted after \""
          + new String(previous, StandardCharsets.UTF_8) + "\"");
    }
    lastNames.push(name);
    str("entry");
    str("(");
    str("name");
    bytes(name);
    str("node");
  }

  @Override
  public void entryEnd() throws IOException {
    str(")");
  }

  @Override
  public void directoryEnd() throws IOException {
    lastNames.pop();
    str(")");
  }

  @Override
  public void fileStart(boolean executable, long size) throws IOException {
    nodeStart("regular");
    if (executable) {
      str("executable");
      str("");
    }
    str("contents");
    u64(size);
    remaining = size;
  }

  @Override
  public void fileContents(ByteBuffer chunk) throws IOException {
    int n = chunk.remaining();
    if (n > remaining) {
      throw new IllegalStateException("file contents exceed the announced size by " + (n - remaining) + " bytes");
    }
    if (chunk.hasArray()) {
      raw(chunk.array(), chunk.arrayOffset() + chunk.position(), n);
      chunk.position(chunk.limit());
    } else {
      byte[] b = new byte[Math.min(n, 65536)];
      while (chunk.hasRemaining()) {
        int k = Math.min(b.length, chunk.remaining());
        chunk.get(b, 0, k);
        raw(b, 0, k);
      }
    }
    remaining -= n;
  }

  /**
   * Accounts for {@code n} bytes of the archive the caller leaves out of the output, as a ranged
   * rendering does with what lies before its first byte: inside a file they are contents (so the
   * file's padding still comes out right), elsewhere whole directory entries. Nothing is written;
   * {@link #size()} counts them.
   */
  public void omit(long n) {
    if (remaining >= 0) {
      if (n > remaining) {
        throw new IllegalStateException("omitting " + n + " bytes of a file with " + remaining + " left");
      }
      remaining -= n;
    }
    written += n;
  }

  /** Writes file contents from a stream; reads exactly the announced size. */
  public void fileContents(InputStream in) throws IOException {
    byte[] b = new byte[(int) Math.min(Math.max(remaining, 1), 1 << 17)];
    while (remaining > 0) {
      int n = in.read(b, 0, (int) Math.min(b.length, remaining));
      if (n < 0) {
        throw new IOException("file ended " + remaining + " bytes before its announced size");
      }
      raw(b, 0, n);
      remaining -= n;
    }
  }

  @Override
  public void fileEnd() throws IOException {
    if (remaining != 0) {
      throw new IllegalStateException("file ended " + remaining + " bytes short of its announced size");
    }
    remaining = -1;
    // Every token before the contents is 8-aligned, so the padding follows from the total.
    pad(written);
    str(")");
  }

  @Override
  public void symlink(byte[] target) throws IOException {
    String problem = NarNames.checkTarget(target);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    nodeStart("symlink");
    str("target");
    bytes(target);
    str(")");
  }

  @Override
  public void end() throws IOException {
    out.flush();
  }

  /** Dumps a filesystem tree exactly as {@code nix-store --dump} does; returns the NAR size. */
  public static long dump(Path path, OutputStream out) throws IOException {
    NarWriter w = new NarWriter(out);
    w.dumpNode(path);
    w.end();
    return w.size();
  }

  private void dumpNode(Path path) throws IOException {
    PosixFileAttributes attrs = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (attrs.isSymbolicLink()) {
      symlink(Files.readSymbolicLink(path).toString().getBytes(StandardCharsets.UTF_8));
    } else if (attrs.isRegularFile()) {
      // Nix marks a file executable when its owner may execute it.
      fileStart(attrs.permissions().contains(PosixFilePermission.OWNER_EXECUTE), attrs.size());
      try (InputStream in = Files.newInputStream(path)) {
        fileContents(in);
      }
      fileEnd();
    } else if (attrs.isDirectory()) {
      List<byte[]> names = new ArrayList<>();
      try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
        for (Path child : children) {
          names.add(child.getFileName().toString().getBytes(StandardCharsets.UTF_8));
        }
      }
      names.sort(Arrays::compareUnsigned);
      directoryStart();
      for (byte[] name : names) {
        entryStart(name);
        dumpNode(path.resolve(new String(name, StandardCharsets.UTF_8)));
        entryEnd();
      }
      directoryEnd();
    } else {
      throw new IOException(path + " is neither a regular file, a directory nor a symlink; NAR cannot hold it");
    }
  }
}
