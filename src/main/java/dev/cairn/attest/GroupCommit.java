package dev.cairn.attest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Group commit for small writes: while a write is in flight, new submissions queue up and go
 * to the database together in the next write. At low load a submission is written at once
 * (no added latency); under load many lila POSTs share one commit, so throughput is not
 * bounded by commits (fsyncs) per second. Each caller's future completes only after the write
 * holding its item committed.
 *
 * <p>A failure is charged only to the item that caused it: when a write of several items
 * fails, each item is written again on its own, so one client's bad row (which validation at
 * the edge should already have refused) cannot fail the other clients it was grouped with.
 * Items are idempotent writes, so writing one again after a rolled-back group is safe.
 */
final class GroupCommit<T> {
  private record Item<T>(T value, Promise<Void> done) {}

  private final Function<List<T>, Future<Void>> writer;
  private final ToIntFunction<T> weight;
  private final int maxWeight;
  private final int maxInFlight;
  private final ArrayDeque<Item<T>> queue = new ArrayDeque<>();
  private int inFlight;

  GroupCommit(Function<List<T>, Future<Void>> writer, ToIntFunction<T> weight, int maxWeight, int maxInFlight) {
    this.writer = writer;
    this.weight = weight;
    this.maxWeight = maxWeight;
    this.maxInFlight = maxInFlight;
  }

  Future<Void> submit(T value) {
    Promise<Void> done = Promise.promise();
    synchronized (this) {
      queue.add(new Item<>(value, done));
    }
    flush();
    return done.future();
  }

  private void flush() {
    List<Item<T>> batch = new ArrayList<>();
    synchronized (this) {
      if (inFlight >= maxInFlight || queue.isEmpty()) {
        return;
      }
      int total = 0;
      while (!queue.isEmpty() && (batch.isEmpty() || total + weight.applyAsInt(queue.peek().value()) <= maxWeight)) {
        Item<T> item = queue.poll();
        total += weight.applyAsInt(item.value());
        batch.add(item);
      }
      inFlight++;
    }
    Future<Void> written = write(batch.stream().map(Item::value).toList());
    written.transform(ar -> {
      if (ar.succeeded() || batch.size() == 1) {
        batch.forEach(item -> complete(item, ar));
        return Future.<Void>succeededFuture();
      }
      // One by one, in order, holding this write's slot: the retry adds no load beyond the group's.
      Future<Void> chain = Future.succeededFuture();
      for (Item<T> item : batch) {
        chain = chain.transform(x -> write(List.of(item.value())).transform(single -> {
          complete(item, single);
          return Future.<Void>succeededFuture();
        }));
      }
      return chain;
    }).onComplete(ar -> {
      synchronized (this) {
        inFlight--;
      }
      flush();
    });
  }

  private Future<Void> write(List<T> values) {
    try {
      return writer.apply(values);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static <T> void complete(Item<T> item, io.vertx.core.AsyncResult<Void> ar) {
    if (ar.succeeded()) {
      item.done().complete();
    } else {
      item.done().fail(ar.cause());
    }
  }
}
