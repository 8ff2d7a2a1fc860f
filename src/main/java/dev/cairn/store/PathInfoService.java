package dev.cairn.store;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/** PathInfos keyed by the 20-byte digest of their store path. */
public interface PathInfoService {
  Future<Optional<PathInfo>> get(byte[] digest);

  /**
   * Stores (or replaces) a path whose root node's contents are already in castore; resolves its
   * references' nodes from stored paths and back-fills the paths that reference it.
   */
  Future<PathInfo> put(PathInfo info);

  /** A page in digest order after {@code after} (exclusive; empty = from the start). */
  Future<List<PathInfo>> list(Optional<byte[]> after, int limit);

  Future<Boolean> delete(byte[] digest);
}
