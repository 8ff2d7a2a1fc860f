package dev.cairn.castore.chunked;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.chunks.ChunkStore;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Chunk file versions that hashed to their digest, for {@code castore.verify_reads: once}:
 * bounded (least recently used out; a forgotten chunk is simply hashed again on its next read),
 * in memory only (a restart hashes each chunk once more). An entry counts only for the exact
 * version it was verified at, so a chunk file that was rewritten or replaced is hashed again.
 */
final class VerifiedChunks {
  /** About 150 bytes an entry: 131,072 entries cover 32 GiB of 256 KiB chunks in ~20 MB. */
  static final int CAPACITY = 1 << 17;

  private final Map<B3Digest, ChunkStore.Version> verified;

  VerifiedChunks(int capacity) {
    this.verified = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<B3Digest, ChunkStore.Version> eldest) {
        return size() > capacity;
      }
    };
  }

  synchronized boolean contains(B3Digest digest, ChunkStore.Version version) {
    return version.equals(verified.get(digest));
  }

  synchronized void add(B3Digest digest, ChunkStore.Version version) {
    verified.put(digest, version);
  }

  synchronized void forget(B3Digest digest) {
    verified.remove(digest);
  }

  synchronized int size() {
    return verified.size();
  }
}
