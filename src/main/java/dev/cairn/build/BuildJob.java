package dev.cairn.build;

import dev.cairn.users.User;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Optional;

/** One submitted build: its request, state, timings, log and outcome. Thread-safe. */
public final class BuildJob {
  public enum State { QUEUED, RUNNING, SUCCEEDED, FAILED }

  private final String id;
  private final BuildRequest request;
  private final boolean register;
  private final User user;
  private final BuildLog log;
  private final long queuedAt = System.currentTimeMillis();
  private final Promise<BuildResult> done = Promise.promise();
  private State state = State.QUEUED;
  private long startedAt;
  private long finishedAt;
  private BuildResult result;
  private BuildFailedException failure;
  private boolean cancelRequested;
  private Runnable onCancel;

  BuildJob(String id, BuildRequest request, boolean register, User user, int logBytes) {
    this.id = id;
    this.request = request;
    this.register = register;
    this.user = user;
    this.log = new BuildLog(logBytes);
  }

  public String id() {
    return id;
  }

  public BuildRequest request() {
    return request;
  }

  boolean register() {
    return register;
  }

  User user() {
    return user;
  }

  public BuildLog log() {
    return log;
  }

  public synchronized State state() {
    return state;
  }

  public synchronized long queuedAt() {
    return queuedAt;
  }

  public synchronized long startedAt() {
    return startedAt;
  }

  public synchronized long finishedAt() {
    return finishedAt;
  }

  public synchronized Optional<BuildResult> result() {
    return Optional.ofNullable(result);
  }

  public synchronized Optional<BuildFailedException> failure() {
    return Optional.ofNullable(failure);
  }

  /** Completes (on the completing thread) when the build ends; fails with {@link BuildFailedException}. */
  public Future<BuildResult> done() {
    return done.future();
  }

  /** Moves to RUNNING unless cancelled meanwhile. */
  synchronized boolean start() {
    if (cancelRequested) {
      return false;
    }
    state = State.RUNNING;
    startedAt = System.currentTimeMillis();
    return true;
  }

  synchronized boolean cancelRequested() {
    return cancelRequested;
  }

  /** What to do to stop the running build (kill its container); run at once if cancel came first. */
  void onCancel(Runnable action) {
    boolean now;
    synchronized (this) {
      onCancel = action;
      now = cancelRequested;
    }
    if (now) {
      action.run();
    }
  }

  /** Asks the build to stop; whether it had not finished yet. */
  boolean cancel() {
    Runnable action;
    synchronized (this) {
      if (state == State.SUCCEEDED || state == State.FAILED || cancelRequested) {
        return state != State.SUCCEEDED && state != State.FAILED;
      }
      cancelRequested = true;
      action = onCancel;
    }
    if (action != null) {
      action.run();
    }
    return true;
  }

  void succeed(BuildResult r) {
    synchronized (this) {
      state = State.SUCCEEDED;
      result = r;
      finishedAt = System.currentTimeMillis();
    }
    log.finish();
    done.tryComplete(r);
  }

  void fail(BuildFailedException e) {
    synchronized (this) {
      state = State.FAILED;
      failure = e;
      finishedAt = System.currentTimeMillis();
    }
    log.finish();
    done.tryFail(e);
  }

  synchronized boolean finished() {
    return state == State.SUCCEEDED || state == State.FAILED;
  }
}
