package dev.cairn.castore.chunked;

import dev.cairn.castore.Await;
import dev.cairn.castore.B3Digest;
import dev.cairn.castore.BlobCorruptedException;
import dev.cairn.castore.ChunkMeta;
import dev.cairn.castore.VerifyReads;
import dev.cairn.castore.chunks.ChunkBuffers;
import dev.cairn.castore.chunks.ChunkCodec;
import dev.cairn.castore.chunks.ChunkStore;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Reads chunks for readers and the scrub, never handing out bytes that do not hash to their
 * digest: hashes every read ({@link VerifyReads#ALWAYS}), or only the first read of each chunk
 * file version ({@link VerifyReads#ONCE}, see {@link VerifiedChunks}). Hashing and decompression
 * run on the CPU pool, each chunk as its own task, so a reader with several chunks in flight
 * verifies on all cores. A chunk that fails is deleted from the store, so that uploading the
 * same content again stores it anew (the repair path).
 */
final class ChunkVerifier {
  private static final Logger LOG = Logger.getLogger("cairn.castore");
  /** Bytes of chunk arrays kept for reuse: a few renders' read-ahead windows. */
  static final long POOLED = 32 << 20;

  private final ChunkStore store;
  private final WorkerExecutor cpu;
  private final VerifyReads mode;
  private final VerifiedChunks verified = new VerifiedChunks(VerifiedChunks.CAPACITY);
  /**
   * Arrays of chunk reads whose readers are done with them: a render then reads each chunk into
   * an array read into before instead of a new one (allocating, zeroing and collecting 256 KiB a
   * chunk cost as much CPU as a trusted read itself).
   */
  private final ChunkBuffers buffers = new ChunkBuffers(POOLED);

  ChunkVerifier(ChunkStore store, WorkerExecutor cpu, VerifyReads mode) {
    this.store = store;
    this.cpu = cpu;
    this.mode = mode;
  }

  VerifyReads mode() {
    return mode;
  }

  /** Chunk versions trusted without hashing now. */
  int trusted() {
    return verified.size();
  }

  /**
   * The raw bytes of {@code chunk} (of {@code blob}, for messages): a view of the bytes read, not
   * a copy, when the chunk is stored raw. Fails with {@link BlobCorruptedException} when the
   * chunk is missing, malformed, of the wrong size or hashes to another digest. The view's array
   * comes from this verifier's {@link ChunkBuffers}: hand it back with {@link #release} once no
   * view of it is left, or leave it to the garbage collector.
   */
  Future<ByteBuffer> read(ChunkMeta chunk, B3Digest blob) {
    B3Digest digest = chunk.digest();
    return store.read(digest, buffers).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(new BlobCorruptedException("chunk " + digest + " of blob " + blob + " is missing"));
      }
      ChunkStore.Read read = found.get();
      Optional<ChunkStore.Version> version = mode == VerifyReads.ONCE ? read.version() : Optional.empty();
      if (version.isPresent() && verified.contains(digest, version.get()) && ChunkCodec.isRaw(read.bytes(), read.length())) {
        // Trusted and stored raw: nothing to compute, so no hop to the CPU pool.
        return Future.succeededFuture(returnedOnFailure(read, () -> sized(chunk, blob, ChunkCodec.decode(digest, read.bytes(), read.length()))));
      }
      return cpu.executeBlocking(() -> {
        ByteBuffer raw = returnedOnFailure(read, () -> checked(chunk, blob, read, version));
        if (raw.array() != read.bytes()) {
          buffers.give(read.bytes()); // decompressed into an array of its own
        }
        return raw;
      }, false).recover(e -> e instanceof BlobCorruptedException ? deleteCorrupted(digest, blob, e) : Future.failedFuture(e));
    });
  }

  /** Takes back the array of a view {@link #read} gave, when no view of it is left anywhere. */
  void release(ByteBuffer raw) {
    buffers.give(raw.array());
  }

  /** {@code decoded}'s result; when it fails, the bytes read go back to the buffers (nothing saw them). */
  private ByteBuffer returnedOnFailure(ChunkStore.Read read, Supplier<ByteBuffer> decoded) {
    try {
      return decoded.get();
    } catch (RuntimeException e) {
      buffers.give(read.bytes());
      throw e;
    }
  }

  /**
   * {@link #read} on the calling thread, store read and hashing included (no pool hops), for a
   * caller on a thread of its own that may block (a FUSE callback); empty when the chunk is absent.
   */
  Optional<ByteBuffer> readBlocking(ChunkMeta chunk, B3Digest blob) throws IOException {
    Optional<ChunkStore.Read> found = store.readBlocking(chunk.digest());
    if (found.isEmpty()) {
      return Optional.empty();
    }
    ChunkStore.Read read = found.get();
    try {
      return Optional.of(checked(chunk, blob, read, mode == VerifyReads.ONCE ? read.version() : Optional.empty()));
    } catch (BlobCorruptedException e) {
      // Deleted before the failure is answered, as by read(): an upload after it stores the chunk anew.
      Await.result(this.<Void>deleteCorrupted(chunk.digest(), blob, e).otherwiseEmpty());
      throw e;
    }
  }

  /** The raw bytes of a stored chunk, hashed unless this version was verified before. */
  private ByteBuffer checked(ChunkMeta chunk, B3Digest blob, ChunkStore.Read read, Optional<ChunkStore.Version> version) {
    B3Digest digest = chunk.digest();
    ByteBuffer raw = ChunkCodec.decode(digest, read.bytes(), read.length());
    if (version.isEmpty() || !verified.contains(digest, version.get())) {
      ChunkCodec.verify(digest, raw);
      version.ifPresent(v -> verified.add(digest, v));
    }
    return sized(chunk, blob, raw);
  }

  /** Re-hashes one stored chunk (the scrub): true when it is sound, false when it was deleted. */
  Future<Boolean> scrub(B3Digest digest) {
    return store.read(digest).compose(found -> {
      if (found.isEmpty()) {
        verified.forget(digest);
        return Future.succeededFuture(true); // deleted meanwhile (garbage collection)
      }
      ChunkStore.Read read = found.get();
      return cpu.executeBlocking(() -> {
        ChunkCodec.verify(digest, ChunkCodec.decode(digest, read.bytes(), read.length()));
        read.version().ifPresent(v -> verified.add(digest, v));
        return true;
      }, false).recover(e -> e instanceof BlobCorruptedException
          ? deleteCorrupted(digest, null, e).map(x -> false).otherwise(false)
          : Future.failedFuture(e));
    });
  }

  private static ByteBuffer sized(ChunkMeta chunk, B3Digest blob, ByteBuffer raw) {
    if (raw.remaining() != chunk.size()) {
      throw new BlobCorruptedException("chunk " + chunk.digest() + " of blob " + blob + " has "
          + raw.remaining() + " bytes, its index says " + chunk.size());
    }
    return raw;
  }

  private <T> Future<T> deleteCorrupted(B3Digest digest, B3Digest blob, Throwable e) {
    verified.forget(digest);
    LOG.severe(e.getMessage() + (blob == null ? " (found by the scrub)" : " (blob " + blob + ")")
        + "; deleting it so that uploading the blob again repairs it");
    return store.delete(digest).transform(ignored -> Future.failedFuture(e));
  }
}
