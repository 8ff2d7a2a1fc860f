package dev.cairn.build.fuse;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import ru.serce.jnrfuse.ErrorCodes;

/**
 * FUSE callbacks run on libfuse's own threads (never a Vert.x event loop), so they may wait for
 * a store future, but never without bound: a store that does not answer is EIO, not a process
 * stuck in uninterruptible sleep on the mount.
 */
final class Waiting {
  private static final Logger LOG = Logger.getLogger("cairn.fuse");

  private Waiting() {}

  static <T> T await(Future<T> future, Duration timeout, String what) throws FuseErrno {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warning(what + ": no answer from the store within " + timeout + "; EIO");
      throw new FuseErrno(ErrorCodes.EIO(), what + " timed out");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FuseErrno(ErrorCodes.EINTR(), what + " interrupted");
    } catch (ExecutionException e) {
      LOG.warning(what + ": " + e.getCause() + "; EIO");
      throw new FuseErrno(ErrorCodes.EIO(), what + ": " + e.getCause().getMessage());
    }
  }
}
