package dev.cairn.nix;

import dev.cairn.validation.ValidationException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/** A Nix public key: {@code <name>:<base64 of 32 bytes>}, as in {@code trusted-public-keys}. */
public record PublicKey(String name, byte[] bytes) {
  public PublicKey {
    KeyNames.check(name);
    if (bytes.length != 32) {
      throw ValidationException.stated("public_key", "public key " + name + ": must be 32 bytes, got " + bytes.length);
    }
    bytes = bytes.clone();
  }

  public static PublicKey parse(String text) {
    String s = text.strip();
    int colon = s.indexOf(':');
    if (colon <= 0) {
      throw ValidationException.stated("public_key", "public key must be <name>:<base64>");
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(s.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      throw ValidationException.stated("public_key", "public key " + s.substring(0, colon) + ": not valid base64");
    }
    return new PublicKey(s.substring(0, colon), raw);
  }

  /** True only for a valid signature by this key; a signature under another key name never verifies. */
  public boolean verify(String fingerprint, Signature signature) {
    return verify(fingerprint.getBytes(StandardCharsets.UTF_8), signature);
  }

  public boolean verify(byte[] message, Signature signature) {
    return signature.keyName().equals(name) && Ed25519.verify(bytes, message, signature.bytes());
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public String toString() {
    return name + ":" + Base64.getEncoder().encodeToString(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PublicKey k && k.name.equals(name) && Arrays.equals(k.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(bytes);
  }
}
