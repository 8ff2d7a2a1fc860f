package dev.cairn.castore;

import dev.cairn.validation.ValidationException;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Content-addressed blob storage: file contents keyed by their BLAKE3-256 digest. All methods
 * return immediately; implementations do blocking I/O on a bounded worker pool, never on the
 * caller's event loop. Futures complete on the caller's Vert.x context.
 *
 * <p>Every digest a {@link #stat} lists among a blob's chunks is itself readable and statable,
 * as the gRPC Read contract requires (WIRE.md §3).
 */
public interface BlobService {
  /** The blob's size and chunk list, or empty when neither a blob nor a chunk has this digest. */
  Future<Optional<BlobStat>> stat(B3Digest digest);

  /**
   * A reader over {@code [offset, offset+length)} of the blob (or chunk) with this digest;
   * {@code length} is clipped at the end of the blob, so {@code Long.MAX_VALUE} reads to the end.
   * Empty when absent; fails with {@link ValidationException} (field {@code offset}) when
   * {@code offset} lies beyond the end.
   */
  Future<Optional<BlobReader>> open(B3Digest digest, long offset, long length);

  default Future<Optional<BlobReader>> open(B3Digest digest) {
    return open(digest, 0, Long.MAX_VALUE);
  }

  /**
   * One chunk of a blob, as {@link #stat} lists it (a blob without a chunk list is its one chunk:
   * {@code new ChunkMeta(blob, size)}), read and verified like {@link #open}'s chunks but on the
   * calling thread, which may block: for callers with threads of their own (FUSE callbacks, see
   * dev.cairn.build.fuse), never an event loop. A view of the bytes read, not a copy; empty when
   * the chunk is absent; {@link BlobCorruptedException} when it does not hash to its digest.
   */
  Optional<ByteBuffer> readChunkBlocking(B3Digest blob, ChunkMeta chunk) throws IOException;

  /** Starts an upload. Nothing becomes visible until {@link BlobWriter#close()} succeeds. */
  BlobWriter put();

  default Future<Boolean> has(B3Digest digest) {
    return stat(digest).map(Optional::isPresent);
  }
}
