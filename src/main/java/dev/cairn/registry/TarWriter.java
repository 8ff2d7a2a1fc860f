package dev.cairn.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a POSIX tar stream (ustar headers, a pax extended header before any entry whose name,
 * link target or size does not fit), with everything a header could vary on fixed: uid/gid 0, no
 * user or group names, mtime {@link #MTIME}. Part of the layer recipe ({@link LayerRecipe}): a
 * change here changes layer digests, so it needs a new recipe version.
 */
final class TarWriter {
  /** 1970-01-01T00:00:01Z, as Nix stores file times. */
  static final long MTIME = 1;
  static final int BLOCK = 512;
  private static final long MAX_USTAR_SIZE = 077777777777L;
  private static final byte[] ZEROS = new byte[BLOCK];

  private final OutputStream out;
  private long pending;

  TarWriter(OutputStream out) {
    this.out = out;
  }

  /** Paths are bytes, as castore names are (not necessarily UTF-8); directories get their trailing slash here. */
  void directory(byte[] path, int mode) throws IOException {
    byte[] name = java.util.Arrays.copyOf(path, path.length + 1);
    name[path.length] = '/';
    entry(name, mode, 0, '5', new byte[0]);
  }

  void symlink(byte[] path, byte[] target) throws IOException {
    entry(path, 0777, 0, '2', target);
  }

  /** A regular file's header; exactly {@code size} bytes of {@link #contents} must follow. */
  void fileStart(byte[] path, int mode, long size) throws IOException {
    entry(path, mode, size, '0', new byte[0]);
    pending = size;
  }

  void contents(byte[] b, int off, int len) throws IOException {
    if (len > pending) {
      throw new IOException("file contents longer than the size in its tar header");
    }
    out.write(b, off, len);
    pending -= len;
  }

  void fileEnd(long size) throws IOException {
    if (pending != 0) {
      throw new IOException("file contents " + pending + " bytes shorter than the size in its tar header");
    }
    pad(size);
  }

  void file(byte[] path, int mode, byte[] content) throws IOException {
    fileStart(path, mode, content.length);
    contents(content, 0, content.length);
    fileEnd(content.length);
  }

  /** The two zero blocks that end an archive. */
  void finish() throws IOException {
    out.write(ZEROS);
    out.write(ZEROS);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code parent/child}. */
  static byte[] child(byte[] parent, byte[] child) {
    byte[] out = java.util.Arrays.copyOf(parent, parent.length + 1 + child.length);
    out[parent.length] = '/';
    System.arraycopy(child, 0, out, parent.length + 1, child.length);
    return out;
  }

  private void entry(byte[] name, int mode, long size, char type, byte[] link) throws IOException {
    boolean longName = name.length > 100;
    boolean longLink = link.length > 100;
    boolean bigSize = size > MAX_USTAR_SIZE;
    if (longName || longLink || bigSize) {
      java.io.ByteArrayOutputStream pax = new java.io.ByteArrayOutputStream();
      if (longName) {
        paxRecord(pax, "path", name);
      }
      if (longLink) {
        paxRecord(pax, "linkpath", link);
      }
      if (bigSize) {
        paxRecord(pax, "size", bytes(Long.toString(size)));
      }
      byte[] body = pax.toByteArray();
      out.write(header(bytes("././@PaxHeader"), 0644, body.length, 'x', new byte[0]));
      out.write(body);
      pad(body.length);
    }
    out.write(header(longName ? truncate(name) : name, mode, bigSize ? 0 : size, type, longLink ? truncate(link) : link));
  }

  private static byte[] truncate(byte[] b) {
    return java.util.Arrays.copyOf(b, 100);
  }

  /** {@code "<len> key=value\n"} where len counts the whole record, itself included. */
  private static void paxRecord(java.io.ByteArrayOutputStream pax, String key, byte[] value) {
    int rest = 1 + key.length() + 1 + value.length + 1;
    int len = rest + Integer.toString(rest).length();
    if (Integer.toString(len).length() != Integer.toString(rest).length()) {
      len++;
    }
    pax.writeBytes(bytes(len + " " + key + "="));
    pax.writeBytes(value);
    pax.write('\n');
  }

  private void pad(long size) throws IOException {
    int rem = (int) (size % BLOCK);
    if (rem != 0) {
      out.write(ZEROS, 0, BLOCK - rem);
    }
  }

  private static byte[] header(byte[] name, int mode, long size, char type, byte[] link) {
    byte[] h = new byte[BLOCK];
    System.arraycopy(name, 0, h, 0, name.length);
    octal(h, 100, 8, mode);
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    octal(h, 124, 12, size);
    octal(h, 136, 12, MTIME);
    h[156] = (byte) type;
    System.arraycopy(link, 0, h, 157, link.length);
    System.arraycopy(bytes("ustar\0"), 0, h, 257, 6);
    h[263] = '0';
    h[264] = '0';
    octal(h, 329, 8, 0);
    octal(h, 337, 8, 0);
    java.util.Arrays.fill(h, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    byte[] chk = bytes(String.format("%06o", sum));
    System.arraycopy(chk, 0, h, 148, 6);
    h[154] = 0;
    h[155] = ' ';
    return h;
  }

  /** Zero-padded octal digits filling the field but its last byte, which is NUL. */
  private static void octal(byte[] h, int at, int width, long value) {
    String digits = Long.toOctalString(value);
    String padded = "0".repeat(width - 1 - digits.length()) + digits;
    System.arraycopy(bytes(padded), 0, h, at, width - 1);
    h[at + width - 1] = 0;
  }
}
