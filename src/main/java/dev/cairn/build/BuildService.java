package dev.cairn.build;

import dev.cairn.store.Store;
import dev.cairn.users.User;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Admits, queues and runs builds: at most {@code max_concurrent} run at once on the
 * {@code cairn-build} worker pool (never an event loop), at most {@code max_queued} wait, more
 * are refused ({@link QueueFullException}). Remembers the last {@code keep_finished} finished
 * builds for the REST API. At start it removes what a crashed run left under the bundle root
 * (containers, mounts, directories); at close it cancels everything and waits for the cleanup.
 */
public final class BuildService {
  private static final Logger LOG = Logger.getLogger("cairn.build");

  public record Status(int maxConcurrent, int maxQueued, List<BuildJob> running, List<BuildJob> queued) {}

  private final BuildConfig config;
  private final WorkerExecutor workers;
  private final BuildExecution execution;
  private final Deque<BuildJob> queue = new ArrayDeque<>();
  private final Map<String, BuildJob> jobs = new LinkedHashMap<>();
  private final List<BuildJob> running = new ArrayList<>();
  private boolean closed;

  private BuildService(BuildConfig config, WorkerExecutor workers, BuildExecution execution) {
    this.config = config;
    this.workers = workers;
    this.execution = execution;
  }

  /** Cleans stale leftovers (on a worker) and answers the service. */
  public static Future<BuildService> start(Vertx vertx, BuildConfig config, Store store) {
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("cairn-build", config.maxConcurrent());
    Runc runc = new Runc(config.runc());
    BuildExecution execution = new BuildExecution(config, store, runc, new OutputRegistration(store.uploads()));
    return workers.executeBlocking(() -> {
      cleanStale(config.bundleRoot(), runc);
      return new BuildService(config, workers, execution);
    }, false);
  }

  /** Containers whose bundle lies under our root, then mounts under it, then its directories. */
  static void cleanStale(Path bundleRoot, Runc runc) throws IOException {
    Files.createDirectories(bundleRoot);
    for (String[] c : runc.list()) {
      if (c[0].startsWith(BuildExecution.CONTAINER_PREFIX) && Path.of(c[1]).startsWith(bundleRoot)) {
        LOG.warning("removing stale build container " + c[0]);
        runc.kill(c[0]);
        runc.delete(c[0]);
      }
    }
    try (Stream<Path> dirs = Files.list(bundleRoot)) {
      for (Path d : dirs.toList()) {
        if (d.getFileName().toString().startsWith(BuildExecution.CONTAINER_PREFIX)) {
          LOG.warning("removing stale build bundle " + d);
          BuildExecution.removeBundle(d);
        }
      }
    }
  }

  public BuildJob submit(BuildRequest request, boolean register, User user) {
    BuildJob job = new BuildJob(UUID.randomUUID().toString(), request, register, user, config.logMaxBytes());
    synchronized (this) {
      if (closed) {
        throw new QueueFullException(running.size(), queue.size());
      }
      if (running.size() >= config.maxConcurrent() && queue.size() >= config.maxQueued()) {
        throw new QueueFullException(running.size(), queue.size());
      }
      jobs.put(job.id(), job);
      forgetOldFinished();
      queue.addLast(job);
    }
    dispatch();
    return job;
  }

  private void dispatch() {
    List<BuildJob> starting = new ArrayList<>();
    synchronized (this) {
      while (running.size() < config.maxConcurrent() && !queue.isEmpty()) {
        BuildJob next = queue.pollFirst();
        if (next.start()) {
          running.add(next);
          starting.add(next);
        } else {
          next.fail(new BuildFailedException(BuildFailedException.Reason.CANCELLED, "cancelled while queued"));
        }
      }
    }
    for (BuildJob job : starting) {
      workers.<BuildResult>executeBlocking(() -> execution.run(job), false).onComplete(ar -> {
        synchronized (this) {
          running.remove(job);
        }
        if (ar.succeeded()) {
          job.succeed(ar.result());
        } else if (ar.cause() instanceof BuildFailedException e) {
          job.fail(e);
        } else {
          LOG.severe("build " + job.id() + ": " + ar.cause());
          job.fail(new BuildFailedException(BuildFailedException.Reason.ERROR, "internal error: " + ar.cause()));
        }
        dispatch();
      });
    }
  }

  private void forgetOldFinished() {
    long finished = jobs.values().stream().filter(BuildJob::finished).count();
    var it = jobs.values().iterator();
    while (finished > config.keepFinished() && it.hasNext()) {
      if (it.next().finished()) {
        it.remove();
        finished--;
      }
    }
  }

  public synchronized Optional<BuildJob> get(String id) {
    return Optional.ofNullable(jobs.get(id));
  }

  public synchronized Status status() {
    return new Status(config.maxConcurrent(), config.maxQueued(), List.copyOf(running), List.copyOf(queue));
  }

  /** Cancels a queued or running build; false when it had already finished. */
  public boolean cancel(BuildJob job) {
    boolean wasQueued;
    synchronized (this) {
      wasQueued = queue.remove(job);
    }
    boolean cancelled = job.cancel();
    if (wasQueued) {
      job.fail(new BuildFailedException(BuildFailedException.Reason.CANCELLED, "cancelled while queued"));
    }
    return cancelled;
  }

  /** Cancels all builds and waits until each has cleaned up. */
  public Future<Void> close() {
    List<BuildJob> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(running);
      all.addAll(queue);
    }
    all.forEach(this::cancel);
    return Future.join(all.stream().map(j -> j.done().otherwiseEmpty()).toList()).<Void>mapEmpty()
        .eventually(workers::close);
  }
}
