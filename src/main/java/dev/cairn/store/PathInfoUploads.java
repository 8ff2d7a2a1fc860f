package dev.cairn.store;

import dev.cairn.castore.BlobService;
import dev.cairn.castore.DirectoryService;
import dev.cairn.users.User;
import dev.cairn.validation.ValidationException;
import io.vertx.core.Future;

/**
 * The one way a PathInfo from outside (a gRPC Put, a narinfo upload) enters the store, on
 * behalf of an authenticated user (a path pulled from an upstream passes the same
 * {@link #gate()}):
 *
 * <ol>
 *   <li>a path already stored is never replaced: the same content is idempotent (new signatures
 *       merged), different content is refused ({@link PathInfoConflictException}) and kept as
 *       evidence in {@link PathInfoConflicts} with who offered it;
 *   <li>for a new path the root node's contents must be in castore, and the claimed NAR size and
 *       sha256 must be those of the node's NAR ({@link NarCalculationService}): a writer cannot
 *       publish a narinfo that lies about the bytes behind it;
 *   <li>a new path then passes the installed {@link UploadGate} (the Frankenbuild check of its
 *       closure), which may refuse it.
 * </ol>
 */
public final class PathInfoUploads {
  private final PathInfoService pathInfos;
  private final NarCalculationService narCalculation;
  private final PathInfoConflicts conflicts;
  private final BlobService blobs;
  private final DirectoryService directories;
  private volatile UploadGate installed = UploadGate.OPEN;

  public PathInfoUploads(PathInfoService pathInfos, NarCalculationService narCalculation, PathInfoConflicts conflicts, BlobService blobs,
                         DirectoryService directories) {
    this.pathInfos = pathInfos;
    this.narCalculation = narCalculation;
    this.conflicts = conflicts;
    this.blobs = blobs;
    this.directories = directories;
  }

  /**
   * Installs the check new paths pass before they are stored; once, at start, before any
   * upload is served (a capability's construction).
   */
  public void guard(UploadGate check) {
    if (installed != UploadGate.OPEN) {
      throw new IllegalStateException("an upload gate is installed already");
    }
    installed = check;
  }

  /**
   * The installed gate, read at each call (it is installed after the store is built): paths
   * pulled through from upstream caches pass it too ({@link NearFarPathInfoService}), their NAR
   * checked by the puller against the upstream's narinfo instead of {@link NarCalculationService}.
   */
  public UploadGate gate() {
    return offered -> installed.admit(offered);
  }

  /** Stores {@code offered} (or merges its signatures); answers what is stored now. */
  public Future<PathInfo> accept(PathInfo offered, User uploader) {
    // A stored path was checked when it was stored: compare with it, no need to render again.
    return pathInfos.get(offered.digest())
        .compose(stored -> stored.isPresent() ? Future.succeededFuture() : checkNar(offered).compose(v -> installed.admit(offered)))
        .compose(v -> pathInfos.put(offered))
        .recover(e -> e instanceof PathInfoConflictException conflict
            ? conflicts.record(conflict, uploader).transform(recorded -> Future.failedFuture(conflict))
            : Future.failedFuture(e));
  }

  private Future<Void> checkNar(PathInfo offered) {
    return RootContents.require(offered.node(), blobs, directories)
        .compose(v -> narCalculation.calculate(offered.node()))
        .compose(actual -> {
          if (actual.narSize() != offered.narSize()) {
            return Future.failedFuture(new ValidationException("narinfo.nar_size", "is " + offered.narSize() + ", but the node's NAR is "
                + actual.narSize() + " bytes"));
          }
          if (!actual.narSha256().equals(offered.narSha256())) {
            return Future.failedFuture(new ValidationException("narinfo.nar_sha256", "is " + offered.narSha256().toNixString()
                + ", but the node's NAR hashes to " + actual.narSha256().toNixString()));
          }
          return Future.succeededFuture();
        });
  }
}
