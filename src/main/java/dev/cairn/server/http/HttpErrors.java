package dev.cairn.server.http;

import dev.cairn.castore.BlobCorruptedException;
import dev.cairn.castore.chunked.ChunkCollectedException;
import dev.cairn.store.ClosureConflictException;
import dev.cairn.store.PathInfoConflictException;
import dev.cairn.validation.ValidationException;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one map from domain errors to HTTP answers, {@code {"detail": ...}} via {@link JsonError}.
 * A client error is a client error because a parser or a rule said so ({@link ClientError},
 * {@link ValidationException}); anything else — an {@code IllegalArgumentException} from a bug,
 * say a column name mistyped in a row mapper, included — is a 500 with a fixed detail and a
 * SEVERE log line, so that server internals (file paths, SQL) never reach a client. gRPC's
 * counterpart is grpc/GrpcErrors.
 */
public final class HttpErrors {
  private static final Logger LOG = Logger.getLogger("cairn.server");
  /** Seconds a client waits before uploading again after garbage collection took a chunk. */
  static final int RETRY_AFTER_SECONDS = 1;
  static final String INTERNAL = "internal error";
  static final String CORRUPTED = "stored data is corrupted";

  private HttpErrors() {}

  /** The HTTP status {@code e} is answered with. */
  public static int status(Throwable e) {
    if (e instanceof ClientError known) {
      return known.httpStatus();
    } else if (e instanceof ValidationException) {
      return 422;
    } else if (e instanceof BodyTooLargeException) {
      return 413;
    } else if (e instanceof ChunkCollectedException) {
      return 503;
    } else if (e instanceof PathInfoConflictException) {
      return 409; // a stored PathInfo is immutable: a different claim for its path conflicts
    } else if (e instanceof ClosureConflictException) {
      return 409; // cache.frankenbuild: reject, and a reference in the closure is disputed
    }
    return 500;
  }

  /** The detail a client sees: the rule it broke, or a fixed text for a server failure. */
  public static String detail(Throwable e) {
    int status = status(e);
    if (status != 500) {
      return e.getMessage();
    }
    return e instanceof BlobCorruptedException ? CORRUPTED : INTERNAL;
  }

  /** Answers {@code e} on {@code rc}'s response; a server failure is logged first. */
  public static void answer(RoutingContext rc, Throwable e) {
    int status = status(e);
    if (status == 500) {
      OutOfMemoryExit.check(e);
      LOG.log(Level.SEVERE, "answered 500 to " + rc.request().method() + " " + rc.request().path(), e);
    }
    if (rc.response().headWritten()) {
      // Part of an answer is out: only a reset tells the client it is incomplete.
      rc.response().reset();
      return;
    }
    if (e instanceof ChunkCollectedException) {
      rc.response().putHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
    }
    if (e instanceof ClosureConflictException refused) {
      // The evidence travels with the refusal: which edge, which content, who says otherwise.
      rc.response().setStatusCode(status).putHeader("Content-Type", "application/json")
          .end(new io.vertx.core.json.JsonObject().put("detail", detail(e)).put("closure_check", refused.evidence()).encode());
      return;
    }
    JsonError.send(rc.response(), status, detail(e));
  }
}
