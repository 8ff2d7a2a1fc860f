package dev.cairn.castore.chunks;

import dev.cairn.castore.Await;
import dev.cairn.castore.B3Digest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where chunk bytes live: a flat map from a chunk's BLAKE3 digest to its stored bytes (the
 * {@code ChunkCodec} encoding: a small header, then raw or zstd bytes). It knows nothing of
 * blobs, chunking or verification — the chunked {@code BlobService} above it owns those — so a
 * backend is small: local files, S3-compatible object storage.
 *
 * <p>Contract, for every implementation:
 * <ul>
 *   <li>All methods return at once; blocking I/O runs on a bounded pool the store was given,
 *       never on the caller's event loop. Futures complete on a Vert.x context.
 *   <li>{@link #put} is atomic: until its future succeeds no reader can see the digest, and a
 *       crash or failure leaves either nothing or the complete bytes under it. Putting a digest
 *       that exists is allowed and replaces the bytes (that is how a corrupt chunk is repaired).
 *   <li>The store does not verify that the bytes hash to the digest (it cannot: they may be
 *       compressed); readers verify.
 *   <li>{@link #delete} of a missing digest succeeds.
 *   <li>{@link #list} pages through every stored digest in ascending unsigned byte order.
 * </ul>
 */
public interface ChunkStore {
  /** One stored chunk as listed: its digest, stored (encoded) size and last write time. */
  record Listed(B3Digest digest, long storedSize, long modifiedMillis) {}

  /**
   * One write of a stored object as the store can tell it apart from any other: for a chunk file,
   * its file key (device and inode), size and modification time in nanoseconds. Any write to
   * the file, in place or by replacing it, gives a different version; a read-side cache of
   * verified chunks keys on it (bit rot below the file system does not change it: the scrub
   * finds that).
   */
  record Version(Object fileKey, long size, long modifiedNanos) {}

  /**
   * A chunk's stored bytes as read, {@code bytes[0, length)} (the array may be longer: one from
   * {@link ChunkBuffers}), with the version they were read from when the store knows it.
   */
  record Read(byte[] bytes, int length, Optional<Version> version) {
    public Read(byte[] bytes, Optional<Version> version) {
      this(bytes, bytes.length, version);
    }
  }

  Future<Boolean> has(B3Digest digest);

  /**
   * The whole stored bytes with their version, or empty when absent. Stores that cannot name a
   * version answer without one (every read of theirs is then verified).
   */
  default Future<Optional<Read>> read(B3Digest digest) {
    return read(digest, ChunkBuffers.NONE);
  }

  /**
   * As {@link #read(B3Digest)}, into an array taken from {@code buffers} when the store reads into
   * arrays of its own choosing (files); others answer with arrays of their own.
   */
  default Future<Optional<Read>> read(B3Digest digest, ChunkBuffers buffers) {
    return get(digest).map(found -> found.map(b -> new Read(b.getBytes(), Optional.empty())));
  }

  /**
   * {@link #read} for a caller on a thread of its own that may block (a FUSE callback), never an
   * event loop: a local store reads on the calling thread, saving the hops to its pool and back;
   * others wait for {@link #read} (their clients bound the wait).
   */
  default Optional<Read> readBlocking(B3Digest digest) throws IOException {
    return Await.result(read(digest));
  }

  /** The whole stored bytes, or empty when absent. */
  Future<Optional<Buffer>> get(B3Digest digest);

  /**
   * Stored bytes {@code [offset, offset + length)}, clipped at the end; empty when absent.
   * Lets a backend serve a region without transferring the whole object.
   */
  Future<Optional<Buffer>> get(B3Digest digest, long offset, long length);

  Future<Void> put(B3Digest digest, Buffer bytes);

  /**
   * Stores the bytes unless the digest is present (an upload's chunk, deduplicated); atomic like
   * {@link #put}. The default checks, then puts; a store that can do both in one task overrides it
   * (one pool hop per chunk fewer).
   */
  default Future<Void> putIfAbsent(B3Digest digest, Buffer bytes) {
    return has(digest).compose(present -> present ? Future.succeededFuture() : put(digest, bytes));
  }

  Future<Void> delete(B3Digest digest);

  /** Up to {@code limit} stored chunks with digests greater than {@code after}, ascending. */
  Future<List<Listed>> list(Optional<B3Digest> after, int limit);

  /** A short description for logs and errors, e.g. {@code file:///var/lib/cairn/blobs}. */
  String describe();

  /** Releases clients and pools the store created itself. */
  Future<Void> close();
}
