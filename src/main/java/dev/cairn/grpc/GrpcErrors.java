package dev.cairn.grpc;

import com.google.protobuf.MessageOrBuilder;
import dev.cairn.castore.BlobCorruptedException;
import dev.cairn.castore.chunked.ChunkCollectedException;
import dev.cairn.store.ClosureConflictException;
import dev.cairn.store.PathInfoConflictException;
import dev.cairn.validation.ValidationException;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.InvalidMessageException;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one map from domain errors to gRPC statuses. A client error is a client error because a
 * parser or a rule said so ({@link ValidationException}, a conflict); anything else — an
 * {@code IllegalArgumentException} from a bug included — is INTERNAL with a fixed message and a
 * log line, so that server internals (file paths, SQL) never reach a client.
 * An upload refused because garbage collection took one of its chunks meanwhile is
 * UNAVAILABLE: uploading again succeeds.
 */
final class GrpcErrors {
  private static final Logger LOG = Logger.getLogger("cairn.grpc");

  private GrpcErrors() {}

  static void fail(GrpcServerResponse<?, ?> response, Throwable e) {
    if (e instanceof ValidationException) {
      end(response, GrpcStatus.INVALID_ARGUMENT, e.getMessage());
    } else if (e instanceof PathInfoConflictException) {
      end(response, GrpcStatus.ALREADY_EXISTS, e.getMessage());
    } else if (e instanceof ClosureConflictException) {
      // cache.frankenbuild: reject; the message names the disputed edge (the evidence is at closure-check).
      end(response, GrpcStatus.FAILED_PRECONDITION, e.getMessage());
    } else if (e instanceof BlobCorruptedException) {
      // Its message names digests only (never a file path); the stored copy is unusable, not the request.
      LOG.log(Level.WARNING, "answered DATA_LOSS: " + e.getMessage());
      end(response, GrpcStatus.DATA_LOSS, "stored data is corrupted: " + e.getMessage());
    } else if (e instanceof dev.cairn.build.BuildFailedException b) {
      end(response, switch (b.reason()) {
        case FAILED -> GrpcStatus.ABORTED;
        case TIMEOUT -> GrpcStatus.DEADLINE_EXCEEDED;
        case CANCELLED -> GrpcStatus.CANCELLED;
        case ERROR -> GrpcStatus.INTERNAL;
      }, b.getMessage());
    } else if (e instanceof dev.cairn.server.http.ClientError c && c.httpStatus() == 429) {
      end(response, GrpcStatus.RESOURCE_EXHAUSTED, e.getMessage());
    } else if (e instanceof dev.cairn.build.BuildUnavailableException) {
      end(response, GrpcStatus.UNAVAILABLE, e.getMessage());
    } else if (e instanceof ChunkCollectedException) {
      // Garbage collection took a chunk of this upload meanwhile; uploading again succeeds.
      end(response, GrpcStatus.UNAVAILABLE, e.getMessage());
    } else {
      LOG.log(Level.SEVERE, "gRPC call failed", e);
      end(response, GrpcStatus.INTERNAL, "internal error (logged by the server)");
    }
  }

  static void end(GrpcServerResponse<?, ?> response, GrpcStatus status, String message) {
    try {
      response.status(status).statusMessage(message).end();
    } catch (IllegalStateException alreadyEnded) {
      // The client went away or the stream already ended.
    }
  }

  /** A message that does not decode as the method's request type, or exceeds the size limit. */
  static void invalidMessage(GrpcServerResponse<?, ?> response, MessageOrBuilder requestType, InvalidMessageException e) {
    String type = requestType.getDescriptorForType().getFullName();
    if (e instanceof MessageSizeOverflowException overflow) {
      end(response, GrpcStatus.RESOURCE_EXHAUSTED, "request: a " + type + " message of " + overflow.messageSize()
          + " bytes is larger than the server accepts");
    } else {
      end(response, GrpcStatus.INVALID_ARGUMENT, "request: not a valid " + type + " protobuf message");
    }
  }

  static void notFound(GrpcServerResponse<?, ?> response, String message) {
    end(response, GrpcStatus.NOT_FOUND, message);
  }
}
