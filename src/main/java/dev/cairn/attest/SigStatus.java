package dev.cairn.attest;

import java.util.Locale;

/**
 * Whether an attestation's {@code output_sig} was checked: {@code VERIFIED} under one of
 * the builder's registered keys over Nix's fingerprint; {@code UNVERIFIED} when it could not
 * be checked (no key registered, or the client sent no NAR size and references, as lila's
 * clients do). Invalid signatures are refused, never stored.
 */
public enum SigStatus {
  VERIFIED,
  UNVERIFIED;

  public String dbValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static SigStatus ofDb(String value) {
    // Hot in report queries (one call per attestation): skip the case conversion.
    if ("verified".equals(value)) {
      return VERIFIED;
    }
    if ("unverified".equals(value)) {
      return UNVERIFIED;
    }
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
