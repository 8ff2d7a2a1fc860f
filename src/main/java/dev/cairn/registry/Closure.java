package dev.cairn.registry;

import dev.cairn.nix.StorePath;
import dev.cairn.store.PathInfo;
import dev.cairn.store.PathInfoService;
import dev.cairn.store.StorePathDigest;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** The closure of some stored paths under their PathInfo references, read level by level. */
final class Closure {
  /** Paths one image may hold; more is refused rather than rendered into a useless image. */
  static final int MAX_PATHS = 20_000;

  private Closure() {}

  static Future<Map<StorePath, PathInfo>> of(PathInfoService pathInfos, List<PathInfo> tops) {
    Map<StorePath, PathInfo> found = new TreeMap<>();
    tops.forEach(t -> found.put(t.storePath(), t));
    return next(pathInfos, found, tops);
  }

  private static Future<Map<StorePath, PathInfo>> next(PathInfoService pathInfos, Map<StorePath, PathInfo> found, List<PathInfo> level) {
    TreeSet<StorePath> wanted = new TreeSet<>();
    level.forEach(p -> p.references().stream().filter(r -> !found.containsKey(r)).forEach(wanted::add));
    if (wanted.isEmpty()) {
      return Future.succeededFuture(found);
    }
    if (found.size() + wanted.size() > MAX_PATHS) {
      return Future.failedFuture(RegistryError.manifestUnknown("the closure has more than " + MAX_PATHS + " paths"));
    }
    List<StorePath> order = new ArrayList<>(wanted);
    List<Future<java.util.Optional<PathInfo>>> gets = order.stream().map(p -> pathInfos.get(StorePathDigest.of(p))).toList();
    return Future.all(gets).compose(all -> {
      List<PathInfo> fetched = new ArrayList<>();
      for (int i = 0; i < order.size(); i++) {
        java.util.Optional<PathInfo> info = gets.get(i).result();
        if (info.isEmpty() || !info.get().storePath().equals(order.get(i))) {
          return Future.failedFuture(RegistryError.manifestUnknown("the closure is incomplete: " + order.get(i).fullPath() + " is not in this store"));
        }
        found.put(order.get(i), info.get());
        fetched.add(info.get());
      }
      return next(pathInfos, found, fetched);
    });
  }
}
