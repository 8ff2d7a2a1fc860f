package dev.cairn.server.http;

import java.io.IOException;

/**
 * An uploaded NAR body that is the client's fault: not a NAR, or cut off by the client closing
 * the connection. A 400 (nobody may be there to read it), never a server error in the log.
 */
public final class BadUploadException extends IOException implements ClientError {
  public BadUploadException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int httpStatus() {
    return 400;
  }
}
