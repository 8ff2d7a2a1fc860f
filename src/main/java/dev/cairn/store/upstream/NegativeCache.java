package dev.cairn.store.upstream;

import dev.cairn.store.StorePathDigest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Paths no upstream had, remembered for a short while so that a client probing many absent paths
 * (Nix checks a whole closure) does not send each probe upstream again. Per process and bounded
 * by the TTL: a path an upstream gains is seen at most {@code ttl} later.
 */
final class NegativeCache {
  private static final int MAX_ENTRIES = 100_000;
  private final Map<StorePathDigest, Long> until = new ConcurrentHashMap<>();
  private final long ttlMillis;

  NegativeCache(Duration ttl) {
    this.ttlMillis = ttl.toMillis();
  }

  boolean contains(StorePathDigest digest) {
    Long expiry = until.get(digest);
    if (expiry == null) {
      return false;
    }
    if (expiry > System.currentTimeMillis()) {
      return true;
    }
    until.remove(digest, expiry);
    return false;
  }

  void add(StorePathDigest digest) {
    if (ttlMillis <= 0) {
      return;
    }
    long now = System.currentTimeMillis();
    if (until.size() >= MAX_ENTRIES) {
      until.values().removeIf(t -> t <= now);
      if (until.size() >= MAX_ENTRIES) {
        until.clear();
      }
    }
    until.put(digest, now + ttlMillis);
  }
}
