package dev.cairn.castore;

import java.util.Objects;

/** A regular file: the BLAKE3 digest of its contents (a blob) and its length in bytes. */
public record FileNode(PathComponent name, B3Digest digest, long size, boolean executable)
    implements Node {
  public FileNode {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(digest, "digest");
    Node.checkedSize("size", size);
  }

  @Override
  public FileNode withName(PathComponent name) {
    return new FileNode(name, digest, size, executable);
  }
}
