package dev.cairn.store;

import io.vertx.core.Future;

/**
 * A check a new path passes before {@link PathInfoUploads} stores it, after its NAR was checked:
 * fails (typically with {@link ClosureConflictException}) to refuse the path. The Frankenbuild
 * check installs one; without it every path with a valid NAR is admitted.
 */
@FunctionalInterface
public interface UploadGate {
  UploadGate OPEN = offered -> Future.succeededFuture();

  Future<Void> admit(PathInfo offered);
}
