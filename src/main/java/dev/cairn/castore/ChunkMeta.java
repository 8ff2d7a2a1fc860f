package dev.cairn.castore;

import java.util.Objects;

/** One chunk of a stored blob: its own BLAKE3 digest and its length. */
public record ChunkMeta(B3Digest digest, long size) {
  public ChunkMeta {
    Objects.requireNonNull(digest, "digest");
    if (size < 0) {
      throw new IllegalArgumentException("chunk size must not be negative: " + size);
    }
  }
}
