package dev.cairn.grpc;

import dev.cairn.castore.ValidationException;
import dev.cairn.castore.chunked.ChunkCollectedException;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Maps failures to gRPC statuses: bad input is INVALID_ARGUMENT naming the field, an upload
 * refused because garbage collection took one of its chunks is UNAVAILABLE (retry), the rest INTERNAL.
 */
final class GrpcErrors {
  private static final Logger LOG = Logger.getLogger("cairn.grpc");

  private GrpcErrors() {}

  static void fail(GrpcServerResponse<?, ?> response, Throwable e) {
    if (e instanceof ValidationException || e instanceof IllegalArgumentException) {
      end(response, GrpcStatus.INVALID_ARGUMENT, e.getMessage());
    } else if (e instanceof ChunkCollectedException) {
      // Garbage collection took a chunk of this upload meanwhile; uploading again succeeds.
      end(response, GrpcStatus.UNAVAILABLE, e.getMessage());
    } else {
      LOG.log(Level.WARNING, "gRPC call failed", e);
      end(response, GrpcStatus.INTERNAL, String.valueOf(e.getMessage()));
    }
  }

  static void end(GrpcServerResponse<?, ?> response, GrpcStatus status, String message) {
    try {
      response.status(status).statusMessage(message).end();
    } catch (IllegalStateException alreadyEnded) {
      // The client went away or the stream already ended.
    }
  }

  static void notFound(GrpcServerResponse<?, ?> response, String message) {
    end(response, GrpcStatus.NOT_FOUND, message);
  }
}
