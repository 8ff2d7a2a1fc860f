package dev.cairn.compression;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The decoder for a NAR uploaded as plain {@code <hash>.nar}: Nix names a
 * {@code compression=gzip} NAR like an uncompressed one (its binary cache store has no file
 * extension for gzip; seen with Nix 2.8), so the first byte decides. A NAR starts with the
 * little-endian length 13 of {@code nix-archive-1} (0x0d), a gzip member with 0x1f 0x8b.
 */
final class PlainOrGzip extends OutputStream {
  private static final int GZIP_MAGIC = 0x1f;

  private final OutputStream target;
  private OutputStream chosen;

  PlainOrGzip(OutputStream target) {
    this.target = target;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return;
    }
    if (chosen == null) {
      Compression c = (b[off] & 0xff) == GZIP_MAGIC ? Compression.GZIP : Compression.NONE;
      chosen = c.decoder(target);
    }
    chosen.write(b, off, len);
  }

  @Override
  public void close() throws IOException {
    if (chosen != null) {
      chosen.close();
    }
  }
}
