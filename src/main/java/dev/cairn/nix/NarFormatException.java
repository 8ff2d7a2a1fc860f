package dev.cairn.nix;

import java.io.IOException;

/** A NAR that breaks a rule of the format, with the byte offset where it did. */
public final class NarFormatException extends IOException {
  private final long offset;

  public NarFormatException(long offset, String rule) {
    super("NAR offset " + offset + ": " + rule);
    this.offset = offset;
  }

  public long offset() {
    return offset;
  }
}
