package dev.cairn.store;

import dev.cairn.castore.DirectorySizeFormula;
import dev.cairn.castore.chunks.ChunkStoreLocation;
import dev.cairn.server.config.ConfigException;
import dev.cairn.server.config.ConfigTree;
import dev.cairn.server.config.ServerConfig;
import dev.cairn.store.upstream.UpstreamConfig;

/** The store's settings (keys under {@code castore.} in conf/cairn.yaml, and the upstream caches under {@code cache.upstream*}). */
public record StoreConfig(
    ChunkStoreLocation blobStore,
    int chunkIoWorkers,
    int chunkPutsPerUpload,
    int zstdLevel,
    int narWorkers,
    DirectorySizeFormula directorySizeFormula,
    UpstreamConfig upstreams) {

  private static ChunkStoreLocation blobStore(ConfigTree tree, ServerConfig server) {
    ChunkStoreLocation location;
    try {
      location = ChunkStoreLocation.parse(tree.string("castore.blob_store"), server.blobDir());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("castore.blob_store", e.getMessage());
    }
    int s3MaxRequests = tree.integer("castore.s3_max_requests", 1, 1024);
    if (location instanceof ChunkStoreLocation.S3 s3) {
      return new ChunkStoreLocation.S3(s3.location(), s3.options().withMaxRequests(s3MaxRequests), s3.credentials());
    }
    return location;
  }

  /**
   * {@code auto}: 4 on local files (enough to keep fsyncs in the background), 16 on S3, where each
   * put is a round trip and more in flight is what overlaps them (issue 10).
   */
  private static int chunkPutsPerUpload(ConfigTree tree, ChunkStoreLocation location) {
    if (tree.string("castore.chunk_puts_per_upload").strip().equals("auto")) {
      return location instanceof ChunkStoreLocation.S3 ? 16 : 4;
    }
    return tree.integer("castore.chunk_puts_per_upload", 1, 64);
  }

  public static StoreConfig from(ConfigTree tree, ServerConfig server) {
    ChunkStoreLocation location = blobStore(tree, server);
    return new StoreConfig(
        location,
        tree.integer("castore.chunk_io_workers", 1, 256),
        chunkPutsPerUpload(tree, location),
        tree.integer("castore.chunk_compression_level", 0, 19),
        tree.integer("castore.nar_workers", 1, 256),
        tree.choice("castore.directory_size_formula", DirectorySizeFormula.class),
        UpstreamConfig.from(tree));
  }
}
