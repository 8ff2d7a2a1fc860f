package dev.cairn.attest;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;

/**
 * CPU-bound work (parsing megabytes of JSON, grouping hundreds of thousands of rows, Ed25519
 * checks of a batch) off the event loop, on the bounded worker pool; on the caller's thread
 * when there is no pool (admin commands, tests of the services).
 */
final class Cpu {
  private final WorkerExecutor workers;

  Cpu(WorkerExecutor workers) {
    this.workers = workers;
  }

  <T> Future<T> run(Callable<T> work) {
    if (workers == null) {
      try {
        return Future.succeededFuture(work.call());
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    }
    return workers.executeBlocking(work, false);
  }
}
