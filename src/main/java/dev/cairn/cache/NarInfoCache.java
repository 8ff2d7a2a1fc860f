package dev.cairn.cache;

import dev.cairn.store.StorePathDigest;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Rendered and signed narinfos of stored paths, least recently used first out, so a narinfo
 * request that hits is answered on the event loop without a query, a worker hop or an Ed25519
 * signature (ARCHITECTURE.md: "small answers come from memory").
 *
 * <p>Bounded by the bytes of the bodies it holds ({@code cache.narinfo_cache_bytes}). A stored
 * PathInfo only changes by gaining signatures or by being deleted; this process's changes evict
 * the entry at once ({@link #invalidate}), another replica's are seen at most
 * {@code cache.narinfo_cache_ttl} later (an entry is served for that long after it was read).
 * A fill races a change with the {@link #epoch}: a body rendered from a read that started before
 * an invalidation is not kept.
 *
 * <p>Only present paths are kept. "Not here" is not cached: {@code nix copy --to} asks for every
 * path before it uploads it, and the reader after the upload (perhaps through another replica)
 * must get the path at once, not a remembered 404.
 */
final class NarInfoCache {
  private final long maxBytes;
  private final long ttlNanos;
  private final LongSupplier clock;
  private final LinkedHashMap<StorePathDigest, Entry> entries = new LinkedHashMap<>(256, 0.75f, true);
  private long bytes;
  private long epoch;

  NarInfoCache(long maxBytes, Duration ttl, LongSupplier nanoClock) {
    this.maxBytes = maxBytes;
    this.ttlNanos = ttl.toNanos();
    this.clock = nanoClock;
  }

  static NarInfoCache of(CacheConfig config) {
    return new NarInfoCache(config.narInfoCacheBytes(), config.narInfoCacheTtl(), System::nanoTime);
  }

  /** The body kept for {@code digest}, unless absent or older than the TTL. */
  synchronized Optional<byte[]> get(StorePathDigest digest) {
    Entry e = entries.get(digest);
    if (e == null) {
      return Optional.empty();
    }
    if (clock.getAsLong() - e.readAt() >= ttlNanos) {
      remove(digest);
      return Optional.empty();
    }
    return Optional.of(e.body());
  }

  /** Taken before the read a later {@link #put} keeps the result of. */
  synchronized long epoch() {
    return epoch;
  }

  /**
   * Keeps {@code body}, rendered from a read that began at {@code readAt} (the clock of this cache)
   * and {@code epochBefore} ({@link #epoch()}), unless a path changed since.
   */
  synchronized void put(StorePathDigest digest, byte[] body, long epochBefore, long readAt) {
    if (epochBefore != epoch || maxBytes <= 0 || body.length > maxBytes || ttlNanos <= 0) {
      return;
    }
    remove(digest);
    entries.put(digest, new Entry(body, readAt));
    bytes += body.length;
    Iterator<Entry> oldest = entries.values().iterator();
    while (bytes > maxBytes) {
      bytes -= oldest.next().body().length;
      oldest.remove();
    }
  }

  /** A stored path changed (signatures merged, deleted): forget it, and any fill racing the change. */
  synchronized void invalidate(StorePathDigest digest) {
    epoch++;
    remove(digest);
  }

  long now() {
    return clock.getAsLong();
  }

  synchronized int size() {
    return entries.size();
  }

  synchronized long bytes() {
    return bytes;
  }

  private void remove(StorePathDigest digest) {
    Entry old = entries.remove(digest);
    if (old != null) {
      bytes -= old.body().length;
    }
  }

  private record Entry(byte[] body, long readAt) {}
}
