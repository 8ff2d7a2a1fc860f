package dev.cairn.nix;

import dev.cairn.validation.ValidationException;

import java.util.Arrays;
import java.util.Base64;

/** A Nix signature line: {@code <key name>:<base64 of 64 bytes>}. */
public record Signature(String keyName, byte[] bytes) {
  public Signature {
    KeyNames.check(keyName);
    if (bytes.length != 64) {
      throw ValidationException.stated("signature", "signature must be 64 bytes, got " + bytes.length);
    }
    bytes = bytes.clone();
  }

  public static Signature parse(String text) {
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw ValidationException.stated("signature", "signature must be <key name>:<base64 of 64 bytes>");
    }
    if (text.length() > KeyNames.MAX_LENGTH + 1 + 88) {
      throw ValidationException.stated("signature", "signature is " + text.length() + " characters, longer than a key name and 64 bytes in base64");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      throw ValidationException.stated("signature", "signature is not <key name>:<base64 of 64 bytes>: not valid base64");
    }
    return new Signature(text.substring(0, colon), bytes);
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Signature s && s.keyName.equals(keyName) && Arrays.equals(s.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return keyName.hashCode() * 31 + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return keyName + ":" + Base64.getEncoder().encodeToString(bytes);
  }
}
