package dev.cairn.store;

import dev.cairn.castore.Node;
import java.util.Optional;

/**
 * A reference by content: the castore root node of the referenced store path, known when that
 * path is in this store, explicitly unknown otherwise (never silently dropped). Two builds
 * whose references have the same names but different nodes are a Frankenbuild.
 */
public record ReferenceNode(Optional<Node> node) {
  public static final ReferenceNode UNKNOWN = new ReferenceNode(Optional.empty());

  public static ReferenceNode known(Node node) {
    return new ReferenceNode(Optional.of(node));
  }

  public boolean isKnown() {
    return node.isPresent();
  }
}
