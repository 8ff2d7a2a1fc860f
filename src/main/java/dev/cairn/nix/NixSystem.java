package dev.cairn.nix;

import dev.cairn.validation.ValidationException;
import java.util.regex.Pattern;

/**
 * A Nix system double ({@code x86_64-linux}, {@code aarch64-darwin}, ...): a derivation's
 * {@code system} attribute, which decides which builders can build it.
 */
public record NixSystem(String value) {
  private static final Pattern SYSTEM = Pattern.compile("[a-z0-9_]{1,32}-[a-z0-9_]{1,32}");

  public NixSystem {
    if (!valid(value)) {
      throw ValidationException.of("system: a Nix system such as x86_64-linux");
    }
  }

  /** {@code value} as a system, or an error naming {@code field}. */
  public static NixSystem parse(String field, String value) {
    if (!valid(value)) {
      throw ValidationException.of(field + ": a Nix system such as x86_64-linux");
    }
    return new NixSystem(value);
  }

  public static boolean valid(String value) {
    return value != null && SYSTEM.matcher(value).matches();
  }

  @Override
  public String toString() {
    return value;
  }
}
