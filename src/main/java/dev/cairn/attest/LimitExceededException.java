package dev.cairn.attest;

import dev.cairn.server.http.ClientError;
import dev.cairn.validation.ValidationException;

/**
 * A request over one of the configured caps; answered with {@link #httpStatus()} and a detail
 * that names the configuration key, so an operator knows what to raise. The message is
 * written {@code "field: rule"}.
 */
public final class LimitExceededException extends ValidationException implements ClientError {
  private final int status;

  public LimitExceededException(int status, String message) {
    super(message);
    this.status = status;
  }

  @Override
  public int httpStatus() {
    return status;
  }
}
