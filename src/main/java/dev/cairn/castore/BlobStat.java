package dev.cairn.castore;

import java.util.List;

/**
 * What is known about a stored blob without reading it: its length and, when it is stored as
 * more than one chunk, those chunks in order (each readable by its own digest). A blob stored as
 * one chunk, and a chunk asked for by its digest, have an empty list (WIRE.md §3, Stat).
 */
public record BlobStat(long size, List<ChunkMeta> chunks) {
  public BlobStat {
    chunks = List.copyOf(chunks);
  }

  public static BlobStat singleChunk(long size) {
    return new BlobStat(size, List.of());
  }
}
