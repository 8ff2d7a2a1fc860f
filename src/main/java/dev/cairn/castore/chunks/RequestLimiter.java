package dev.cairn.castore.chunks;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Lets at most {@code max} requests run at once and queues the rest in arrival order.
 *
 * <p>Why not only the HTTP client's connection limit: the SDK's Netty client also bounds
 * connections, but it fails requests that wait longer than its acquire timeout for one, so a
 * burst of chunk uploads (a NAR ingest emits hundreds) would turn into errors under load.
 * Queued here, a request only starts (and its timeouts only start ticking) once it has a slot.
 * Thread-safe: stores are called from event loops and from ingest workers alike.
 */
final class RequestLimiter {
  private final int max;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int running;

  RequestLimiter(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max concurrent requests must be at least 1, got " + max);
    }
    this.max = max;
  }

  /** Starts {@code request} when a slot is free; the result completes as the request does. */
  <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> request) {
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
    boolean now;
    synchronized (this) {
      now = running < max;
      if (now) {
        running++;
      } else {
        waiting.add(start);
      }
    }
    if (now) {
      start.run();
    }
    return result;
  }

  private void release() {
    Runnable next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        running--;
      }
    }
    if (next != null) {
      next.run();
    }
  }

  synchronized int queued() {
    return waiting.size();
  }
}
