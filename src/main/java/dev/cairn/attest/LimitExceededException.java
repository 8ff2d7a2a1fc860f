package dev.cairn.attest;

/**
 * A request over one of the configured caps; answered with {@link #status()} and a detail
 * that names the configuration key, so an operator knows what to raise.
 */
public final class LimitExceededException extends IllegalArgumentException {
  private final int status;

  public LimitExceededException(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
