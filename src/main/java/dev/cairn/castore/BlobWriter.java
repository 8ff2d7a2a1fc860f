package dev.cairn.castore;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * One blob upload. The digest is computed while writing; nothing is visible to readers until
 * {@link #close()} succeeds, and an aborted or failed upload leaves nothing behind. Writes are
 * applied in call order; a caller applies back-pressure by waiting for each write's future.
 */
public interface BlobWriter {
  /** Once the future succeeds the writer no longer reads {@code data}: the caller may reuse it. */
  Future<Void> write(Buffer data);

  /** Makes the blob visible and answers its BLAKE3-256 digest. */
  Future<B3Digest> close();

  /** Drops everything written so far (e.g. the client disconnected). Idempotent. */
  Future<Void> abort();
}
