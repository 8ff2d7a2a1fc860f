package dev.cairn.castore;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * Blobs as files under one root, the embedded default (ARCHITECTURE.md, Storage):
 *
 * <pre>
 * chunks/ab/&lt;hex&gt;   one file per distinct chunk, named by its own BLAKE3 ({@link ChunkFile})
 * blobs/ab/&lt;hex&gt;    one index per blob of two or more chunks ({@link BlobIndex})
 * tmp/               uploads in progress; emptied at startup
 * </pre>
 *
 * Blobs are cut by {@link FastCdc}; a blob that ends up as a single chunk (every blob below the
 * minimum chunk size, the empty blob included) is just that chunk file, since its digest is the
 * chunk's digest. Chunks are therefore stored once however many blobs contain them.
 *
 * <p>Crash safety: every file is written under tmp/, fsynced, then renamed into place, and the
 * directory fsynced. An upload's new chunks are only renamed in at {@link BlobWriter#close()},
 * followed by the index, so a crash or disconnect mid-upload leaves only tmp/ files (removed at
 * the next start); a crash during close can leave complete, valid chunks without an index,
 * which are harmless (each is a correct blob of its own digest) and collectable.
 *
 * <p>All file I/O runs on the given bounded {@link WorkerExecutor}.
 */
public final class FsBlobService implements BlobService {
  /** {@code zstdLevel} 0 stores chunks raw; 1..19 compresses each chunk that shrinks. */
  public record Options(FastCdc.Params chunking, int zstdLevel) {
    public static final Options DEFAULT = new Options(FastCdc.Params.DEFAULT, 0);

    public Options {
      if (zstdLevel < 0 || zstdLevel > 19) {
        throw new IllegalArgumentException("zstd level must be 0 (off) or 1..19, got " + zstdLevel);
      }
    }

    public Options withZstd(int level) {
      return new Options(chunking, level);
    }
  }

  private final WorkerExecutor workers;
  /**
   * Writes and fsyncs new chunk files while the upload goes on: fsync latency, not hashing,
   * bounds a single upload otherwise, and concurrent fsyncs share journal commits. Daemon
   * threads, bounded queue per upload (see FsBlobWriter).
   */
  private static final java.util.concurrent.ExecutorService CHUNK_WRITERS = java.util.concurrent.Executors.newFixedThreadPool(8, r -> {
    Thread t = new Thread(r, "cairn-chunk-writer");
    t.setDaemon(true);
    return t;
  });
  private final Path chunks;
  private final Path blobs;
  private final Path tmp;
  private final FastCdc cdc;
  private final Options options;

  private FsBlobService(WorkerExecutor workers, Path root, Options options) {
    this.workers = workers;
    this.chunks = root.resolve("chunks");
    this.blobs = root.resolve("blobs");
    this.tmp = root.resolve("tmp");
    this.cdc = new FastCdc(options.chunking());
    this.options = options;
  }

  /** Creates the layout under {@code root} if needed and removes leftovers of interrupted uploads. */
  public static Future<FsBlobService> create(
      Vertx vertx, WorkerExecutor workers, Path root, Options options) {
    FsBlobService service = new FsBlobService(workers, root, options);
    return service.blocking(() -> {
      service.prepare();
      return service;
    });
  }

  private void prepare() throws IOException {
    for (Path dir : List.of(chunks, blobs)) {
      Files.createDirectories(dir);
      for (int i = 0; i < 256; i++) {
        Files.createDirectories(dir.resolve(String.format("%02x", i)));
      }
      fsyncDirectory(dir);
    }
    Files.createDirectories(tmp);
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmp)) {
      for (Path p : leftovers) {
        Files.deleteIfExists(p);
      }
    }
    fsyncDirectory(tmp.getParent());
  }

  @Override
  public Future<Optional<BlobStat>> stat(B3Digest digest) {
    return blocking(() -> statBlocking(digest));
  }

  @Override
  public Future<Optional<BlobReader>> open(B3Digest digest, long offset, long length) {
    if (offset < 0) {
      return Future.failedFuture(new ValidationException("offset", "must not be negative: " + offset));
    }
    if (length < 0) {
      return Future.failedFuture(new ValidationException("length", "must not be negative: " + length));
    }
    return blocking(() -> statBlocking(digest).map(stat -> {
      if (offset > stat.size()) {
        throw new ValidationException(
            "offset", offset + " lies beyond the end of blob " + digest + " (" + stat.size() + " bytes)");
      }
      List<ChunkMeta> parts =
          stat.chunks().isEmpty() ? List.of(new ChunkMeta(digest, stat.size())) : stat.chunks();
      long clipped = Math.min(length, stat.size() - offset);
      return new FsBlobReader(this, digest, parts, offset, clipped);
    }));
  }

  @Override
  public BlobWriter put() {
    return new FsBlobWriter(this);
  }

  private Optional<BlobStat> statBlocking(B3Digest digest) throws IOException {
    try {
      return Optional.of(BlobIndex.read(blobPath(digest), digest));
    } catch (NoSuchFileException e) {
      // not a multi-chunk blob; maybe a single chunk
    }
    try {
      return Optional.of(BlobStat.singleChunk(ChunkFile.rawSize(chunkPath(digest))));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  <T> Future<T> blocking(Callable<T> work) {
    // Unordered: uploads and reads of different blobs proceed in parallel; each writer and
    // reader orders its own steps.
    return workers.executeBlocking(work, false);
  }

  FastCdc chunker() {
    return cdc;
  }

  int zstdLevel() {
    return options.zstdLevel();
  }

  Path chunkPath(B3Digest digest) {
    String hex = digest.hex();
    return chunks.resolve(hex.substring(0, 2)).resolve(hex);
  }

  Path blobPath(B3Digest digest) {
    String hex = digest.hex();
    return blobs.resolve(hex.substring(0, 2)).resolve(hex);
  }

  <T> java.util.concurrent.Future<T> writeChunkAsync(java.util.concurrent.Callable<T> write) {
    return CHUNK_WRITERS.submit(write);
  }

  Path newTempFile(String kind) {
    return tmp.resolve(UUID.randomUUID() + "." + kind);
  }

  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
