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

  /** {@code unavailable}: why builds cannot run here (then every submission is a 503), else empty. */
  public record Status(int maxConcurrent, int maxQueued, List<BuildJob> running, List<BuildJob> queued, Optional<String> unavailable) {}

  private final BuildConfig config;
  private final WorkerExecutor workers;
  private final BuildExecution execution;
  private final Optional<String> unavailable;
  private final Deque<BuildJob> queue = new ArrayDeque<>();
  private final Map<String, BuildJob> jobs = new LinkedHashMap<>();
  private final List<BuildJob> running = new ArrayList<>();
  private boolean closed;

  private BuildService(BuildConfig config, WorkerExecutor workers, BuildExecution execution, Optional<String> unavailable) {
    this.config = config;
    this.workers = workers;
    this.execution = execution;
    this.unavailable = unavailable;
  }

  /**
   * Settles the bundle root ({@link BundleRoot}), checks runc, cleans stale leftovers (on a
   * worker) and answers the service. A missing runc or an unusable bundle root does not stop the
   * server: the service answers every build with {@link BuildUnavailableException} naming why.
   */
  public static Future<BuildService> start(Vertx vertx, BuildConfig configured, Store store) {
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("cairn-build", configured.maxConcurrent());
    Runc runc = new Runc(configured.runc());
    return workers.executeBlocking(() -> {
      BundleRoot root = BundleRoot.resolve(configured.bundleRoot(), configured.bundleRootDefault(),
          IdMap.hostRoot(configured.uidMap()), IdMap.hostRoot(configured.gidMap()));
      BuildConfig config = configured.withBundleRoot(root.path());
      Optional<String> unavailable = root.problem().or(runc::missing);
      if (root.problem().isEmpty()) {
        cleanStale(config.bundleRoot(), runc);
      }
      if (unavailable.isPresent()) {
        LOG.warning("builds are unavailable: " + unavailable.get());
      } else if (!root.path().equals(configured.bundleRoot())) {
        LOG.info("build bundles go to " + root.path() + ": " + configured.bundleRoot() + " is not traversable by the build's uid");
      }
      BuildExecution execution = new BuildExecution(config, store, runc, new OutputRegistration(store.uploads()));
      return new BuildService(config, workers, execution, unavailable);
    }, false);
  }

  /** The bundle root in use (the configured one, or the fallback chosen at start). */
  public Path bundleRoot() {
    return config.bundleRoot();
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
    if (unavailable.isPresent()) {
      throw new BuildUnavailableException(unavailable.get());
    }
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
    return new Status(config.maxConcurrent(), config.maxQueued(), List.copyOf(running), List.copyOf(queue), unavailable);
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
