package dev.cairn.build.fuse;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes that open files of one mount may hold loaded ahead of their readers, all files
 * together: a build opening a thousand files at once must not hold a thousand read-ahead
 * windows. A chunk a read needs now is always loaded ({@link #take}); chunks after it only
 * while the budget lasts ({@link #tryTake}).
 */
final class ReadAheadBudget {
  private final long limit;
  private final AtomicLong used = new AtomicLong();

  ReadAheadBudget(long limit) {
    this.limit = limit;
  }

  boolean tryTake(long bytes) {
    long now;
    do {
      now = used.get();
      if (now + bytes > limit) {
        return false;
      }
    } while (!used.compareAndSet(now, now + bytes));
    return true;
  }

  void take(long bytes) {
    used.addAndGet(bytes);
  }

  void give(long bytes) {
    used.addAndGet(-bytes);
  }

  long used() {
    return used.get();
  }
}
