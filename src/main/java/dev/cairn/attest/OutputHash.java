package dev.cairn.attest;

import dev.cairn.nix.Hash;

/**
 * An attested output hash, normalised: a hash Nix would parse is kept in Nix's form
 * ({@code sha256:<nix32>}), so base16, SRI and nix32 spellings of one digest agree; anything
 * else is kept verbatim and compared as a string (lila's clients and tests send such).
 */
public final class OutputHash {
  private OutputHash() {}

  public static String normalize(String text) {
    try {
      return Hash.parse(text.strip()).toNixString();
    } catch (IllegalArgumentException e) {
      return text;
    }
  }
}
