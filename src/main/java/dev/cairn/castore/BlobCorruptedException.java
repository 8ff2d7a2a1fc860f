package dev.cairn.castore;

/**
 * Stored bytes no longer match their digest (bit rot, a truncated file, a tampered index). A
 * read fails with this instead of serving wrong bytes; the gRPC layer maps it to DATA_LOSS.
 */
public final class BlobCorruptedException extends RuntimeException {
  public BlobCorruptedException(String message) {
    super(message);
  }

  public BlobCorruptedException(String message, Throwable cause) {
    super(message, cause);
  }
}
