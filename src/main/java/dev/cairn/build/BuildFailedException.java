package dev.cairn.build;

/** A build that ran (or was about to) and did not succeed: why, and the end of its log. */
public final class BuildFailedException extends RuntimeException {
  public enum Reason { FAILED, TIMEOUT, CANCELLED, ERROR }

  private final Reason reason;

  BuildFailedException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
