package dev.cairn.build.fuse;

import dev.cairn.castore.Node;
import dev.cairn.castore.PathComponent;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/**
 * What the top directory of a {@link CastoreFs} holds: a build's inputs (a fixed list) or every
 * PathInfo's root (for {@code cairn mount}). The nodes below are content-addressed and never change.
 */
public interface FuseRoot {
  Future<Optional<Node>> lookup(PathComponent name);

  /** The entries in name order, at most {@code limit} of them. */
  Future<List<Node>> list(int limit);
}
