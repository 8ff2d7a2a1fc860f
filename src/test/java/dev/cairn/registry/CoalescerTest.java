package dev.cairn.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Concurrent resolutions of one image are one run: calls from many threads while the run is
 * pending share its future and start nothing; a call after it finished starts the next run; another
 * key runs on its own.
 */
class CoalescerTest {
  @Test
  void callsWhileARunIsPendingShareItAndStartNoOther() throws Exception {
    Coalescer<String, String> coalescer = new Coalescer<>();
    Promise<String> gate = Promise.promise();
    AtomicInteger started = new AtomicInteger();
    int callers = 16;
    List<Future<String>> results = java.util.Collections.synchronizedList(new ArrayList<>());
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      for (int i = 0; i < callers; i++) {
        pool.submit(() -> {
          go.await();
          results.add(coalescer.run("busybox/top", () -> {
            started.incrementAndGet();
            return gate.future();
          }));
          return null;
        });
      }
      go.countDown();
      pool.shutdown();
      assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
    } finally {
      pool.shutdownNow();
    }
    assertEquals(callers, results.size());
    assertEquals(1, started.get());
    assertEquals(1, coalescer.runs());
    assertEquals(callers - 1, coalescer.joined());
    results.forEach(f -> assertSame(results.get(0), f));
    assertTrue(results.stream().noneMatch(Future::isComplete));

    gate.complete("sha256:one");
    results.forEach(f -> assertEquals("sha256:one", f.result()));

    Future<String> next = coalescer.run("busybox/top", () -> Future.succeededFuture("sha256:two"));
    assertEquals("sha256:two", next.result());
    Future<String> other = coalescer.run("top", () -> Future.failedFuture(new IllegalStateException("no such package")));
    assertEquals("no such package", other.cause().getMessage());
    assertEquals(3, coalescer.runs());
  }

  @Test
  void aRunThatThrowsFailsItsCallersAndLeavesNothingInFlight() {
    Coalescer<String, String> coalescer = new Coalescer<>();
    Future<String> failed = coalescer.run("busybox", () -> {
      throw new IllegalArgumentException("broken");
    });
    assertEquals("broken", failed.cause().getMessage());
    assertEquals("ok", coalescer.run("busybox", () -> Future.succeededFuture("ok")).result());
    assertEquals(2, coalescer.runs());
  }
}
