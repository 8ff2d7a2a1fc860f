package dev.cairn.attest;

import dev.cairn.validation.ValidationException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A {@code k-of-n} acceptance policy, {@code 2-of:alice,bob,carol}: a path is accepted when at
 * least k of the named builders report the same hash.
 */
public record Policy(int k, Set<String> builders) {
  /** Builders named in one policy; more would only make a request expensive. */
  static final int MAX_BUILDERS = 1000;

  public static Policy parse(String text) {
    PrintableText.check("policy", text, 64 * MAX_BUILDERS);
    int colon = text.indexOf(':');
    if (colon < 0 || !text.substring(0, colon).matches("[0-9]+-of")) {
      throw ValidationException.of("policy: must look like 2-of:alice,bob,carol (got \"" + text + "\")");
    }
    String digits = text.substring(0, colon - 3);
    // More than 9 digits cannot be a count of named builders (and would overflow an int).
    int k = digits.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(digits);
    Set<String> names = new LinkedHashSet<>(Arrays.asList(text.substring(colon + 1).split(",")));
    names.remove("");
    if (names.size() > MAX_BUILDERS) {
      throw ValidationException.of("policy: names more than " + MAX_BUILDERS + " builders");
    }
    if (k < 1 || k > names.size()) {
      throw ValidationException.of("policy: k must be between 1 and the number of builders named (" + names.size() + ")");
    }
    return new Policy(k, names);
  }

  /** The hash that k of the named builders agree on, if any. */
  public Optional<String> accepted(PathStatus path) {
    List<Vote> named = path.votes().stream().filter(v -> builders.contains(v.builder())).toList();
    return path.only(named::contains).clusters().entrySet().stream()
        .filter(e -> e.getValue().size() >= k).map(java.util.Map.Entry::getKey).findFirst();
  }
}
