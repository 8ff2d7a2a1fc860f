package dev.cairn.castore.chunked;

import dev.cairn.castore.B3Digest;

/**
 * Garbage collection deleted a chunk of this upload (one it stored or one it found stored) while
 * the upload ran. Nothing was made visible; uploading again stores the chunk anew. Clients see a retryable error
 * (gRPC UNAVAILABLE, HTTP 503).
 */
public final class ChunkCollectedException extends RuntimeException {
  public ChunkCollectedException(B3Digest chunk) {
    super("chunk " + chunk + " was garbage-collected during this upload; upload again");
  }
}
