package dev.cairn.compression;

import dev.cairn.server.http.ClientError;
import java.io.IOException;

/** A compressed stream that does not decode (corrupt or truncated): a 400 when it was uploaded. */
public final class CorruptStreamException extends IOException implements ClientError {
  public CorruptStreamException(String message) {
    super(message);
  }

  @Override
  public int httpStatus() {
    return 400;
  }
}
