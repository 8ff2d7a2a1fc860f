package dev.cairn.store;

import dev.cairn.castore.DirectorySizeFormula;
import dev.cairn.castore.VerifyReads;
import dev.cairn.castore.chunks.ChunkStoreLocation;
import dev.cairn.server.config.ConfigException;
import dev.cairn.server.config.ConfigTree;
import dev.cairn.server.config.ServerConfig;
import dev.cairn.store.upstream.UpstreamConfig;
import java.time.Duration;
import java.util.Optional;

/** The store's settings (keys under {@code castore.} in conf/cairn.yaml, and the upstream caches under {@code cache.upstream*}). */
public record StoreConfig(
    ChunkStoreLocation blobStore,
    int chunkIoWorkers,
    int chunkPutsPerUpload,
    int zstdLevel,
    int narWorkers,
    DirectorySizeFormula directorySizeFormula,
    UpstreamConfig upstreams,
    Reads reads) {

  /**
   * {@code castore.verify_reads} (always | once) and {@code castore.scrub_interval} (empty = no
   * scrub, else a duration of at least 1m): how chunk reads are verified (see {@link VerifyReads}).
   */
  public record Reads(VerifyReads verify, Optional<Duration> scrubInterval) {
    public static final Reads ALWAYS = new Reads(VerifyReads.ALWAYS, Optional.empty());

    static Reads from(ConfigTree tree) {
      VerifyReads verify = tree.choice("castore.verify_reads", VerifyReads.class);
      if (tree.string("castore.scrub_interval").isBlank()) {
        return new Reads(verify, Optional.empty());
      }
      Duration interval = tree.duration("castore.scrub_interval");
      if (interval.compareTo(Duration.ofMinutes(1)) < 0) {
        throw new ConfigException("castore.scrub_interval", "must be empty (off) or at least 1m (got " + interval + ")");
      }
      return new Reads(verify, Optional.of(interval));
    }
  }

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
        UpstreamConfig.from(tree),
        Reads.from(tree));
  }
}
