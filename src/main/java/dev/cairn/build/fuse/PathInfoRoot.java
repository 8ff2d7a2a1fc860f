package dev.cairn.build.fuse;

import dev.cairn.castore.Node;
import dev.cairn.castore.PathComponent;
import dev.cairn.nix.StorePath;
import dev.cairn.store.PathInfo;
import dev.cairn.store.PathInfoService;
import dev.cairn.store.StorePathDigest;
import dev.cairn.validation.ValidationException;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Every PathInfo's root node under its store path basename, as {@code /nix/store} shows them. */
public final class PathInfoRoot implements FuseRoot {
  private static final int PAGE = 1000;
  private final PathInfoService pathInfos;

  public PathInfoRoot(PathInfoService pathInfos) {
    this.pathInfos = pathInfos;
  }

  @Override
  public Future<Optional<Node>> lookup(PathComponent name) {
    StorePath path;
    try {
      path = StorePath.parseBaseName(name.toString());
    } catch (ValidationException e) {
      return Future.succeededFuture(Optional.empty());
    }
    return pathInfos.get(StorePathDigest.of(path)).map(info -> info.map(PathInfo::node).filter(n -> n.name().equals(name)));
  }

  @Override
  public Future<List<Node>> list(int limit) {
    List<Node> nodes = new ArrayList<>();
    return page(Optional.empty(), nodes, limit).map(v -> {
      nodes.sort(Comparator.comparing(Node::name));
      return nodes;
    });
  }

  private Future<Void> page(Optional<StorePathDigest> after, List<Node> into, int limit) {
    return pathInfos.list(after, PAGE).compose(page -> {
      for (PathInfo info : page) {
        if (into.size() >= limit) {
          return Future.succeededFuture();
        }
        into.add(info.node());
      }
      if (page.size() < PAGE) {
        return Future.succeededFuture();
      }
      return page(Optional.of(page.get(page.size() - 1).digest()), into, limit);
    });
  }
}
