package dev.cairn.castore.chunked;

import dev.cairn.castore.ArrayPool;
import dev.cairn.castore.B3Digest;
import dev.cairn.castore.BlobReader;
import dev.cairn.castore.BlobService;
import dev.cairn.castore.BlobStat;
import dev.cairn.castore.BlobWriter;
import dev.cairn.castore.ChunkMeta;
import dev.cairn.castore.FastCdc;
import dev.cairn.castore.VerifyReads;
import dev.cairn.castore.chunks.ChunkCodec;
import dev.cairn.castore.chunks.ChunkStore;
import dev.cairn.db.Database;
import dev.cairn.validation.ValidationException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The one {@link BlobService}: blobs cut by {@link FastCdc} into chunks stored once each in a
 * {@link ChunkStore} (files or S3), the blob → chunks index in the metadata database, every
 * chunk verified against its digest on read. A blob that is one chunk (every blob below the
 * minimum chunk size, the empty blob included) is that chunk: its digest is the chunk's.
 *
 * <p>Visibility: an upload's chunks are stored first, then its index rows are committed in one
 * transaction; readers find a blob only through its rows, so a crash or an abort mid-upload
 * leaves at most unreferenced chunks, which garbage collection removes after its grace period.
 *
 * <p>Hashing, chunk encoding and verification run on the given bounded pool; chunk I/O on the
 * chunk store's own.
 */
public final class ChunkedBlobService implements BlobService {
  /**
   * {@code zstdLevel} 0 stores chunks raw; 1..19 compresses each chunk that shrinks.
   * {@code chunkPutsPerUpload} bounds the chunks one upload hashes and stores concurrently
   * (overlapping store latency, fsync or an S3 round trip, with hashing).
   */
  public record Options(FastCdc.Params chunking, int zstdLevel, int chunkPutsPerUpload) {
    public static final Options DEFAULT = new Options(FastCdc.Params.DEFAULT, 0, 4);

    public Options {
      if (zstdLevel < 0 || zstdLevel > 19) {
        throw new IllegalArgumentException("zstd level must be 0 (off) or 1..19, got " + zstdLevel);
      }
      if (chunkPutsPerUpload < 1) {
        throw new IllegalArgumentException("chunkPutsPerUpload must be positive, got " + chunkPutsPerUpload);
      }
    }

    public Options withZstd(int level) {
      return new Options(chunking, level, chunkPutsPerUpload);
    }
  }

  private final WorkerExecutor cpu;
  private final ChunkStore chunks;
  private final BlobIndex index;
  private final FastCdc cdc;
  private final Options options;
  private final ChunkVerifier verifier;
  /**
   * Full-size windows and cut chunks, reused by every upload (see {@link dev.cairn.castore.ArrayPool}):
   * a few uploads' windows and the chunks in flight stay allocated, nothing per chunk.
   */
  private final ArrayPool windows;
  private final ArrayPool chunkArrays;

  /** A service that hashes every chunk it reads ({@link VerifyReads#ALWAYS}). */
  public ChunkedBlobService(WorkerExecutor cpu, ChunkStore chunks, Database db, Options options) {
    this(cpu, chunks, db, options, VerifyReads.ALWAYS);
  }

  public ChunkedBlobService(WorkerExecutor cpu, ChunkStore chunks, Database db, Options options, VerifyReads verifyReads) {
    this.cpu = cpu;
    this.chunks = chunks;
    this.index = new BlobIndex(db);
    this.cdc = new FastCdc(options.chunking());
    this.options = options;
    this.verifier = new ChunkVerifier(chunks, cpu, verifyReads);
    this.windows = new ArrayPool(2 * options.chunking().max(), 4);
    this.chunkArrays = new ArrayPool(ChunkCodec.HEADER + options.chunking().max(), 4 * options.chunkPutsPerUpload());
  }

  /** A scrub of every stored chunk through this service's verification (deleting bad ones). */
  public ChunkScrub scrub() {
    return new ChunkScrub(chunks, verifier);
  }

  /**
   * Moves the blob index of Cairn's first file layout into the database when {@code location}
   * is a local directory that still has one (see {@link LegacyIndexImport}).
   */
  public static Future<Void> importFirstLayout(WorkerExecutor io, Database db, dev.cairn.castore.chunks.ChunkStoreLocation location) {
    if (location instanceof dev.cairn.castore.chunks.ChunkStoreLocation.Files files) {
      return LegacyIndexImport.runIfPresent(io, db, files.dir());
    }
    return Future.succeededFuture();
  }

  public ChunkStore chunkStore() {
    return chunks;
  }

  @Override
  public Future<Optional<BlobStat>> stat(B3Digest digest) {
    return index.stat(digest);
  }

  @Override
  public Future<Optional<BlobReader>> open(B3Digest digest, long offset, long length) {
    if (offset < 0) {
      return Future.failedFuture(new ValidationException("offset", "must not be negative: " + offset));
    }
    if (length < 0) {
      return Future.failedFuture(new ValidationException("length", "must not be negative: " + length));
    }
    return index.stat(digest).map(found -> found.map(stat -> {
      if (offset > stat.size()) {
        throw new ValidationException(
            "offset", offset + " lies beyond the end of blob " + digest + " (" + stat.size() + " bytes)");
      }
      List<ChunkMeta> parts =
          stat.chunks().isEmpty() ? List.of(new ChunkMeta(digest, stat.size())) : stat.chunks();
      long clipped = Math.min(length, stat.size() - offset);
      return new ChunkedBlobReader(verifier, digest, parts, offset, clipped);
    }));
  }

  @Override
  public Optional<ByteBuffer> readChunkBlocking(B3Digest blob, ChunkMeta chunk) throws IOException {
    if (Context.isOnEventLoopThread()) {
      throw new IllegalStateException("readChunkBlocking of blob " + blob + " on an event loop");
    }
    return verifier.readBlocking(chunk, blob);
  }

  @Override
  public BlobWriter put() {
    return new ChunkedBlobWriter(this);
  }

  <T> Future<T> onCpu(Callable<T> work) {
    // Unordered: uploads and reads of different blobs proceed in parallel; each writer and
    // reader orders its own steps.
    return cpu.executeBlocking(work, false);
  }

  ChunkStore chunks() {
    return chunks;
  }

  BlobIndex index() {
    return index;
  }

  FastCdc chunker() {
    return cdc;
  }

  /** Windows of twice the maximum chunk size. */
  ArrayPool windows() {
    return windows;
  }

  /** Arrays for one cut chunk after room for its stored header. */
  ArrayPool chunkArrays() {
    return chunkArrays;
  }

  Options options() {
    return options;
  }
}
