package dev.cairn.db;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;

/** A FIFO lock whose waiters are futures, never parked threads. */
final class AsyncMutex {
  private final ArrayDeque<Promise<Void>> waiters = new ArrayDeque<>();
  private boolean held;

  synchronized Future<Void> acquire() {
    if (!held) {
      held = true;
      return Future.succeededFuture();
    }
    Promise<Void> p = Promise.promise();
    waiters.add(p);
    return p.future();
  }

  void release() {
    Promise<Void> next;
    synchronized (this) {
      next = waiters.poll();
      if (next == null) {
        held = false;
        return;
      }
    }
    next.complete();
  }
}
