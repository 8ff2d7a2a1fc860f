package dev.cairn.registry;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One run per key at a time: a call while a run for its key is under way gets that run's future
 * instead of starting another. {@link #runs()} counts the runs started (the resolver's
 * {@code cairn_registry_resolutions_total}), {@link #joined()} the calls that shared a run under
 * way ({@code cairn_registry_resolutions_joined_total}).
 */
final class Coalescer<K, V> {
  private final Map<K, Future<V>> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong runs = new AtomicLong();
  private final AtomicLong joined = new AtomicLong();

  /** The running future for the key, or a new run of work. */
  Future<V> run(K key, Supplier<Future<V>> work) {
    Promise<V> mine = Promise.promise();
    Future<V> running = inFlight.putIfAbsent(key, mine.future());
    if (running != null) {
      joined.incrementAndGet();
      return running;
    }
    runs.incrementAndGet();
    Future<V> started;
    try {
      started = work.get();
    } catch (RuntimeException e) {
      started = Future.failedFuture(e);
    }
    started.onComplete(ar -> {
      inFlight.remove(key, mine.future());
      mine.handle(ar);
    });
    return mine.future();
  }

  /** Runs started since construction. */
  long runs() {
    return runs.get();
  }

  /** Calls since construction that got a run already under way. */
  long joined() {
    return joined.get();
  }
}
