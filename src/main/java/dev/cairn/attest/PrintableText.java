package dev.cairn.attest;

import dev.cairn.validation.ValidationException;

/**
 * The rule for every text field a client sends to the attest routes: no control characters
 * (U+0000–U+001F, U+007F–U+009F: a NUL is refused by PostgreSQL's text type, and CR/LF in a
 * value would become extra lines of a narinfo or of a log line), no unpaired surrogate (not
 * encodable as UTF-8, so the two databases would store different things), and a bounded
 * length. Fields are checked here, at the edge, so nothing that passed can fail in the
 * database and take other clients' rows of a group commit with it.
 */
public final class PrintableText {
  private PrintableText() {}

  /** {@code value} if it obeys the rule; otherwise an error naming {@code field} and the rule. */
  public static String check(String field, String value, int maxLength) {
    if (value.length() > maxLength) {
      throw ValidationException.of(field + ": longer than " + maxLength + " characters (attest.max_text_length)");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c)) {
        throw ValidationException.of(field + ": control character U+" + String.format("%04X", (int) c) + " at position " + i
            + " (control characters are refused)");
      }
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw ValidationException.of(field + ": unpaired UTF-16 surrogate at position " + i + " (not valid Unicode text)");
      }
    }
    return value;
  }
}
