package dev.cairn.validation;

/**
 * Outside input broke a rule: a parser or validator said so. The message names the offending
 * field (e.g. {@code directories[2].name}) and the rule. This — not an
 * {@code IllegalArgumentException}, which is a bug in our own code — is what makes an error the
 * client's: HTTP answers 422 (server/http HttpErrors), gRPC INVALID_ARGUMENT (grpc GrpcErrors).
 * Not final: a rule with an answer of its own (a configured cap, a bad signature) is a subclass.
 */
public class ValidationException extends RuntimeException {
  private final String field;
  private final String rule;

  public ValidationException(String field, String rule) {
    this(field, rule, null);
  }

  public ValidationException(String field, String rule, Throwable cause) {
    this(field, rule, field + ": " + rule, cause);
  }

  /** A message already written as {@code "field: rule"}, kept as written; see {@link #of}. */
  protected ValidationException(String fieldAndRule) {
    this(fieldOf(fieldAndRule), ruleOf(fieldAndRule), fieldAndRule, null);
  }

  /** For a subclass whose message is worded differently from {@code "field: rule"}. */
  protected ValidationException(String field, String rule, String message, Throwable cause) {
    super(message, cause);
    this.field = field;
    this.rule = rule;
  }

  /**
   * A message already written as {@code "field: rule"} (attest builds them so, e.g.
   * {@code entries[3].output_sig: required string}); the field is the text before the first
   * {@code ": "}, and the message is kept as written.
   */
  public static ValidationException of(String fieldAndRule) {
    return new ValidationException(fieldAndRule);
  }

  /** The text before the first {@code ": "}, or {@code request} when there is none. */
  private static String fieldOf(String fieldAndRule) {
    int colon = fieldAndRule.indexOf(": ");
    return colon > 0 ? fieldAndRule.substring(0, colon) : "request";
  }

  private static String ruleOf(String fieldAndRule) {
    int colon = fieldAndRule.indexOf(": ");
    return colon > 0 ? fieldAndRule.substring(colon + 2) : fieldAndRule;
  }

  /**
   * A rule stated in prose that already names what it is about (the nix parsers' wording, e.g.
   * {@code store path name must not be empty}); the message is kept as written.
   */
  public static ValidationException stated(String field, String message) {
    return new ValidationException(field, message, message, null);
  }

  /** The path of the offending field, as it would be written in the request. */
  public String field() {
    return field;
  }

  /** What the field broke, without the field's name. */
  public String rule() {
    return rule;
  }

  /** The same rule, reported for a field nested under {@code prefix}. */
  public ValidationException under(String prefix) {
    return new ValidationException(prefix + "." + field, rule, this);
  }
}
