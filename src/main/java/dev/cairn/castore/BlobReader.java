package dev.cairn.castore;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.util.function.Function;

/**
 * Pull-style reading of a byte range of a blob: the consumer asks for the next piece when it
 * can take it, so back-pressure is the consumer's pace (a gRPC Read, an HTTP range response).
 * Every byte handed out has been verified against its chunk digest. Not thread-safe: issue the
 * next {@link #read} after the previous one completed.
 */
public interface BlobReader {
  /** Bytes this reader delivers in total (the requested range, clipped to the blob). */
  long length();

  /** Bytes not yet delivered. */
  long remaining();

  /**
   * The next 1..{@code maxBytes} bytes, or an empty buffer once {@link #remaining()} is 0. Fails
   * with {@link BlobCorruptedException} when stored bytes do not match their digest.
   */
  Future<Buffer> read(int maxBytes);

  /**
   * As {@link #read}, for a consumer that is done with the piece when it asks for the next one or
   * closes the reader (it copies the bytes or writes them out before): the reader may then reuse
   * the piece's memory for bytes it reads later. Never keep a piece read so.
   */
  default Future<Buffer> readTransient(int maxBytes) {
    return read(maxBytes);
  }

  /** Releases what the reader holds; idempotent. */
  void close();

  /**
   * Writes the remaining bytes to {@code out}, {@code maxBytes} at a time, waiting for
   * {@code out} to drain whenever its write queue is full. Closes this reader in the end.
   */
  default <T> Future<Void> pipeTo(WriteStream<T> out, Function<Buffer, T> wrap, int maxBytes) {
    return new BlobPipe<>(this, out, wrap, maxBytes).start();
  }

  default Future<Void> pipeTo(WriteStream<Buffer> out, int maxBytes) {
    return pipeTo(out, Function.identity(), maxBytes);
  }
}
