package dev.cairn.castore.chunks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class RequestLimiterTest {
  @Test
  void startsAtMostMaxAndTheRestInArrivalOrder() {
    RequestLimiter limiter = new RequestLimiter(2);
    List<CompletableFuture<Integer>> pending = new ArrayList<>();
    List<Integer> started = new ArrayList<>();
    List<CompletableFuture<Integer>> results = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      results.add(limiter.submit(() -> {
        started.add(n);
        CompletableFuture<Integer> f = new CompletableFuture<>();
        pending.add(f);
        return f;
      }));
    }
    assertEquals(List.of(0, 1), started);
    pending.get(1).complete(1);
    assertEquals(List.of(0, 1, 2), started);
    pending.get(0).completeExceptionally(new IllegalStateException("boom"));
    assertEquals(List.of(0, 1, 2, 3), started);
    pending.get(2).complete(2);
    pending.get(3).complete(3);
    pending.get(4).complete(4);
    assertEquals(List.of(0, 1, 2, 3, 4), started);
    assertEquals(1, results.get(1).join());
    assertThrows(ExecutionException.class, () -> results.get(0).get());
    assertEquals(4, results.get(4).join());
  }

  @Test
  void manyQueuedRequestsThatFailAtOnceDoNotDeepenTheStack() {
    RequestLimiter limiter = new RequestLimiter(1);
    CompletableFuture<Void> gate = new CompletableFuture<>();
    limiter.submit(() -> gate);
    List<CompletableFuture<Void>> queued = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      queued.add(limiter.submit(() -> {
        throw new IllegalStateException("client closed");
      }));
    }
    gate.complete(null);
    assertTrue(queued.stream().allMatch(CompletableFuture::isCompletedExceptionally));
  }

  @Test
  void refusesANonPositiveBound() {
    assertThrows(IllegalArgumentException.class, () -> new RequestLimiter(0));
  }
}
