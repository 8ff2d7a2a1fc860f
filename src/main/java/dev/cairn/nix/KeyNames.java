package dev.cairn.nix;

import dev.cairn.validation.ValidationException;

/** Key names as Nix writes them before the colon (e.g. {@code cache.example.org-1}). */
final class KeyNames {
  private KeyNames() {}

  /** Longer names are refused: nothing in Nix needs them, and they would bloat every signature line. */
  static final int MAX_LENGTH = 255;

  static void check(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_LENGTH || name.indexOf(':') >= 0
        || name.chars().anyMatch(c -> c <= ' ' || Character.isISOControl(c) || Character.isSurrogate((char) c))) {
      throw ValidationException.stated("key_name", "key name must be 1.." + MAX_LENGTH + " characters, without ':', whitespace or control characters");
    }
  }
}
