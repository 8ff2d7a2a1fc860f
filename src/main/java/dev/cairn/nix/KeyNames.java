package dev.cairn.nix;

/** Key names as Nix writes them before the colon (e.g. {@code cache.example.org-1}). */
final class KeyNames {
  private KeyNames() {}

  static void check(String name) {
    if (name == null || name.isEmpty() || name.indexOf(':') >= 0 || name.chars().anyMatch(c -> c <= ' ')) {
      throw new IllegalArgumentException("key name \"" + name + "\" must be non-empty, without ':' or whitespace");
    }
  }
}
