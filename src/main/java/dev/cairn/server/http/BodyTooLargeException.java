package dev.cairn.server.http;

/** A request body grew past its limit; answered with 413. */
public final class BodyTooLargeException extends RuntimeException {
  private final long limit;

  public BodyTooLargeException(long limit) {
    super("body: larger than the limit of " + limit + " bytes");
    this.limit = limit;
  }

  public long limit() {
    return limit;
  }
}
