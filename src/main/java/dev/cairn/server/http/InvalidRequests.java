package dev.cairn.server.http;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerRequest;
import java.util.logging.Logger;

/**
 * Requests Netty could not decode (a request line or headers over the limits, malformed
 * syntax, Content-Length together with Transfer-Encoding): a JSON 400/414/431 like every other
 * error, then the connection is closed, since where the next request starts is unknown.
 */
public final class InvalidRequests {
  private static final Logger LOG = Logger.getLogger("cairn.http");

  private InvalidRequests() {}

  public static void handle(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status;
    String detail;
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      detail = "request line: longer than the server accepts";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      detail = "headers: larger than the server accepts";
    } else if (cause instanceof TooLongFrameException) {
      status = 413;
      detail = "request: larger than the server accepts";
    } else if (cause != null && StrictRequestDecoder.CONFLICT.equals(cause.getMessage())) {
      status = 400;
      detail = "Transfer-Encoding: " + StrictRequestDecoder.CONFLICT;
    } else {
      status = 400;
      detail = "request: not valid HTTP" + (cause == null || cause.getMessage() == null ? "" : ": " + firstLine(cause.getMessage()));
    }
    LOG.fine(() -> "invalid request from " + request.remoteAddress() + ": " + status + " " + detail);
    request.response().putHeader("Connection", "close");
    JsonError.send(request.response(), status, detail);
    request.connection().close();
  }

  private static String firstLine(String s) {
    String line = s.lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) : line;
  }
}
