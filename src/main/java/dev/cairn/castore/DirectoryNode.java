package dev.cairn.castore;

import java.util.Objects;

/**
 * A subdirectory: the digest of its {@link Directory} and its size (see
 * {@link DirectorySizeFormula}: any value in the tolerated range is valid here; whether it fits
 * the referenced directory is checked when both are known, by the DirectoryService).
 */
public record DirectoryNode(PathComponent name, B3Digest digest, long size) implements Node {
  public DirectoryNode {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(digest, "digest");
    Node.checkedSize("size", size);
  }

  /** A node pointing at {@code child}, sized by {@code formula}. */
  public static DirectoryNode of(PathComponent name, Directory child, DirectorySizeFormula formula) {
    return new DirectoryNode(name, child.digest(), child.size(formula));
  }

  @Override
  public DirectoryNode withName(PathComponent name) {
    return new DirectoryNode(name, digest, size);
  }
}
