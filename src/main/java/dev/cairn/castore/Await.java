package dev.cairn.castore;

import io.vertx.core.Future;
import java.io.IOException;
import java.util.concurrent.ExecutionException;

/**
 * Waits for a future from a worker thread that may block (NAR ingest and render run on their
 * own pool, never on an event loop nor on the pool whose work they wait for).
 */
public final class Await {
  private Await() {}

  public static <T> T result(Future<T> future) throws IOException {
    try {
      return future.toCompletionStage().toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(cause);
    }
  }
}
