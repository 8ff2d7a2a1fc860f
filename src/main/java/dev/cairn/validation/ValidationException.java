package dev.cairn.validation;

/**
 * Outside input broke a rule of the castore data model (WIRE.md §3). The message names the
 * offending field (e.g. {@code directories[2].name}) and the rule; gRPC adapters map this to
 * INVALID_ARGUMENT, HTTP handlers to 400/422.
 */
public final class ValidationException extends RuntimeException {
  private final String field;

  public ValidationException(String field, String rule) {
    super(field + ": " + rule);
    this.field = field;
  }

  public ValidationException(String field, String rule, Throwable cause) {
    super(field + ": " + rule, cause);
    this.field = field;
  }

  /** The path of the offending field, as it would be written in the proto message. */
  public String field() {
    return field;
  }

  /** The same rule, reported for a field nested under {@code prefix}. */
  public ValidationException under(String prefix) {
    String rule = getMessage().substring(field.length() + 2);
    return new ValidationException(prefix + "." + field, rule, this);
  }
}
