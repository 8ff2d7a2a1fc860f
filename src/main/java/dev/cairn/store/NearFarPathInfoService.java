package dev.cairn.store;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Two PathInfo services as one (tvix's "combinators" cache): {@code near} is this store's own,
 * {@code far} a slower or remote source (an upstream Nix cache). A get looks in near, else in
 * far, and keeps what far found in near, so the next get is local. However many requests ask
 * for one path at once, far is asked once: they share the lookup in flight. Puts, lists and
 * deletes are near's: far is only ever read.
 *
 * <p>What far answers must already have its contents in near's castore (near checks on put):
 * a far that fetches NARs ingests them before it answers.
 */
public final class NearFarPathInfoService implements PathInfoService {
  private final PathInfoService near;
  private final PathInfoService far;
  private final UploadGate gate;
  private final Map<StorePathDigest, Future<Optional<PathInfo>>> inFlight = new ConcurrentHashMap<>();

  public NearFarPathInfoService(PathInfoService near, PathInfoService far, UploadGate gate) {
    this.near = near;
    this.far = far;
    this.gate = gate;
  }

  @Override
  public Future<Optional<PathInfo>> get(StorePathDigest digest) {
    return near.get(digest).compose(found -> found.isPresent() ? Future.succeededFuture(found) : fromFar(digest));
  }

  /** The one lookup in flight for this digest, started if there is none. */
  private Future<Optional<PathInfo>> fromFar(StorePathDigest digest) {
    boolean[] started = {false};
    Future<Optional<PathInfo>> shared = inFlight.computeIfAbsent(digest, d -> {
      started[0] = true;
      // Look in near again: a lookup that finished between our near miss and now has put it there.
      return near.get(d).compose(again -> again.isPresent() ? Future.succeededFuture(again)
          : far.get(d).compose(remote -> remote.isPresent() ? keep(remote.get()).map(Optional::of) : Future.succeededFuture(remote)));
    });
    if (started[0]) {
      // Removed only once complete, so that everyone who asked meanwhile shares this answer.
      shared.onComplete(ar -> inFlight.remove(digest, shared));
    }
    return shared;
  }

  /** Persists far's answer in near once the gate admits it; if another writer stored the path meanwhile, near's version is the answer. */
  private Future<PathInfo> keep(PathInfo remote) {
    return gate.admit(remote).compose(v -> near.put(remote)).recover(e -> e instanceof PathInfoConflictException conflict
        ? Future.succeededFuture(conflict.stored()) : Future.failedFuture(e));
  }

  @Override
  public Future<PathInfo> put(PathInfo info) {
    return near.put(info);
  }

  @Override
  public Future<List<PathInfo>> list(Optional<StorePathDigest> after, int limit) {
    return near.list(after, limit);
  }

  @Override
  public Future<Boolean> delete(StorePathDigest digest) {
    return near.delete(digest);
  }
}
