package dev.cairn.castore;

import java.util.Objects;

/** A symbolic link. */
public record SymlinkNode(PathComponent name, SymlinkTarget target) implements Node {
  public SymlinkNode {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(target, "target");
  }

  @Override
  public SymlinkNode withName(PathComponent name) {
    return new SymlinkNode(name, target);
  }
}
