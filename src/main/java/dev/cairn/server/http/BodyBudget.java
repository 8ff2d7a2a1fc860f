package dev.cairn.server.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The request-body bytes all requests together may hold in memory ({@code
 * http.max_body_bytes_in_flight}). A request that cannot reserve its share is answered 503 at
 * once rather than queued: a queue of waiting uploads is itself memory and connections.
 */
public final class BodyBudget {
  private final long capacity;
  private final AtomicLong used = new AtomicLong();

  public BodyBudget(long capacity) {
    this.capacity = capacity;
  }

  public long capacity() {
    return capacity;
  }

  /** Reserves {@code bytes}, or reserves nothing and answers false when they do not fit. */
  public boolean tryReserve(long bytes) {
    while (true) {
      long now = used.get();
      if (now + bytes > capacity) {
        return false;
      }
      if (used.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  public void release(long bytes) {
    used.addAndGet(-bytes);
  }

  /** Bytes reserved right now (for tests and metrics). */
  public long inUse() {
    return used.get();
  }
}
