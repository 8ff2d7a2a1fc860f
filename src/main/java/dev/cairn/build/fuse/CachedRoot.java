package dev.cairn.build.fuse;

import dev.cairn.castore.Node;
import dev.cairn.castore.PathComponent;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link FuseRoot} whose found entries are remembered for {@code ttl}: libfuse's path API
 * resolves every operation's path from the top, so without this each getattr, open and readdir
 * below a store path asked the database for that path's PathInfo again. Only entries found are
 * kept (a path uploaded later must appear; the kernel's negative_timeout bounds that); a found
 * root node is immutable, and {@code ttl} equals the kernel's own entry timeout, so no answer
 * outlives one the kernel would give anyway. Bounded: least recently used entries go first.
 */
final class CachedRoot implements FuseRoot {
  private record Entry(Node node, long expiresNanos) {}

  private final FuseRoot inner;
  private final long ttlNanos;
  private final Map<PathComponent, Entry> found;

  CachedRoot(FuseRoot inner, int maxEntries, Duration ttl) {
    this.inner = inner;
    this.ttlNanos = ttl.toNanos();
    this.found = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<PathComponent, Entry> eldest) {
        return size() > maxEntries;
      }
    });
  }

  @Override
  public Future<Optional<Node>> lookup(PathComponent name) {
    Entry e = found.get(name);
    if (e != null && System.nanoTime() - e.expiresNanos() < 0) {
      return Future.succeededFuture(Optional.of(e.node()));
    }
    return inner.lookup(name).onSuccess(node -> node.ifPresentOrElse(
        n -> found.put(name, new Entry(n, System.nanoTime() + ttlNanos)), () -> found.remove(name)));
  }

  @Override
  public Future<List<Node>> list(int limit) {
    return inner.list(limit);
  }
}
