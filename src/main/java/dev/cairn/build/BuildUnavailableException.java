package dev.cairn.build;

import dev.cairn.server.http.ClientError;

/** Builds cannot run on this server (runc missing, no usable bundle root): 503 / gRPC UNAVAILABLE, naming the setting. */
public final class BuildUnavailableException extends RuntimeException implements ClientError {
  BuildUnavailableException(String reason) {
    super("builds are unavailable on this server: " + reason, null, false, false);
  }

  @Override
  public int httpStatus() {
    return 503;
  }
}
