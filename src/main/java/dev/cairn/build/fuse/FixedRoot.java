package dev.cairn.build.fuse;

import dev.cairn.castore.Node;
import dev.cairn.castore.PathComponent;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/** A root of known nodes, e.g. a build's inputs. */
public final class FixedRoot implements FuseRoot {
  private final SortedMap<PathComponent, Node> nodes = new TreeMap<>();

  public FixedRoot(Collection<? extends Node> nodes) {
    for (Node n : nodes) {
      if (this.nodes.put(n.name(), n) != null) {
        throw new IllegalArgumentException("duplicate root entry " + n.name());
      }
    }
  }

  @Override
  public Future<Optional<Node>> lookup(PathComponent name) {
    return Future.succeededFuture(Optional.ofNullable(nodes.get(name)));
  }

  @Override
  public Future<List<Node>> list(int limit) {
    return Future.succeededFuture(nodes.values().stream().limit(limit).toList());
  }
}
