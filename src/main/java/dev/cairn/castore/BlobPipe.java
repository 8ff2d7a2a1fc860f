package dev.cairn.castore;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.util.function.Function;

/** Drives a {@link BlobReader} into a {@link WriteStream} with back-pressure. */
final class BlobPipe<T> {
  private final BlobReader reader;
  private final WriteStream<T> out;
  private final Function<Buffer, T> wrap;
  private final int maxBytes;
  private final Promise<Void> done = Promise.promise();

  BlobPipe(BlobReader reader, WriteStream<T> out, Function<Buffer, T> wrap, int maxBytes) {
    this.reader = reader;
    this.out = out;
    this.wrap = wrap;
    this.maxBytes = maxBytes;
  }

  Future<Void> start() {
    // A closed connection fails the pending writes, which ends the pipe (no exceptionHandler:
    // that belongs to the caller).
    next();
    return done.future().andThen(ar -> reader.close());
  }

  // Reads that complete synchronously (bytes of an already loaded chunk) are handled in this
  // loop rather than by recursion, so small maxBytes cannot grow the stack.
  private void next() {
    while (!done.future().isComplete()) {
      Future<Buffer> piece = reader.read(maxBytes);
      if (!piece.isComplete()) {
        piece.onComplete(ar -> {
          if (handle(piece)) {
            next();
          }
        });
        return;
      }
      if (!handle(piece)) {
        return;
      }
    }
  }

  /** True when the loop should read on right away. */
  private boolean handle(Future<Buffer> piece) {
    if (piece.failed()) {
      done.tryFail(piece.cause());
      return false;
    }
    Buffer data = piece.result();
    if (data.length() == 0) {
      done.tryComplete();
      return false;
    }
    out.write(wrap.apply(data)).onFailure(done::tryFail);
    if (out.writeQueueFull()) {
      out.drainHandler(v -> {
        out.drainHandler(null);
        next();
      });
      return false;
    }
    return true;
  }
}
