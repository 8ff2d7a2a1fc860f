package dev.cairn.castore.chunks;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Lets at most {@code max} requests run at once and starts the rest in arrival order as
 * earlier ones finish.
 *
 * <p>Why not only the HTTP client's connection limit: the SDK's Netty client also bounds
 * connections, but it fails requests that wait longer than its acquire timeout for one, so a
 * burst of chunk uploads (a NAR ingest emits hundreds) would turn into errors under load.
 * Queued here, a request only starts (and its timeouts only start ticking) once it has a slot.
 * Thread-safe: stores are called from event loops and from ingest workers alike.
 */
public final class RequestLimiter {
  private final int max;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int running;
  /**
   * Set while this thread starts queued requests. A request that completes at once (e.g. it
   * fails synchronously) releases its slot from inside that loop; without this guard each such
   * release would start the next request one stack frame deeper.
   */
  private final ThreadLocal<Boolean> draining = ThreadLocal.withInitial(() -> false);

  public RequestLimiter(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max concurrent requests must be at least 1, got " + max);
    }
    this.max = max;
  }

  /** Starts {@code request} when a slot is free; the result completes as the request does. */
  public <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> request) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Runnable start = () -> {
      CompletableFuture<T> started;
      try {
        started = request.get();
      } catch (RuntimeException e) {
        started = CompletableFuture.failedFuture(e);
      }
      started.whenComplete((value, error) -> {
        release();
        if (error != null) {
          result.completeExceptionally(error);
        } else {
          result.complete(value);
        }
      });
    };
    synchronized (this) {
      waiting.add(start);
    }
    drain();
    return result;
  }

  private void release() {
    synchronized (this) {
      running--;
    }
    drain();
  }

  /** Starts waiting requests while there are free slots. */
  private void drain() {
    if (draining.get()) {
      return;
    }
    draining.set(true);
    try {
      while (true) {
        Runnable next;
        synchronized (this) {
          if (running >= max || waiting.isEmpty()) {
            return;
          }
          next = waiting.poll();
          running++;
        }
        next.run();
      }
    } finally {
      draining.set(false);
    }
  }
}
