package dev.cairn.cache;

import dev.cairn.server.http.ClientError;
import java.io.IOException;

/** An uploaded file that does not decode as its name says (corrupt or truncated compression): 400. */
final class CorruptUploadException extends IOException implements ClientError {
  CorruptUploadException(String message) {
    super(message);
  }

  @Override
  public int httpStatus() {
    return 400;
  }
}
