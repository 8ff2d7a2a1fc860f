package dev.cairn.store.upstream;

import dev.cairn.server.http.ClientError;

/**
 * An upstream cache could not give a path: it timed out (504), or answered with an error, with
 * something malformed, unsigned by a trusted key or not matching its own narinfo (502). The
 * message names the upstream, the file and the reason; the HTTP layer answers with it.
 */
public final class UpstreamException extends RuntimeException implements ClientError {
  private final int status;

  private UpstreamException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public static UpstreamException badGateway(Upstream upstream, String reason) {
    return new UpstreamException(502, "upstream " + upstream + ": " + reason);
  }

  public static UpstreamException timeout(Upstream upstream, String reason) {
    return new UpstreamException(504, "upstream " + upstream + ": " + reason);
  }

  public boolean isTimeout() {
    return status == 504;
  }

  @Override
  public int httpStatus() {
    return status;
  }
}
