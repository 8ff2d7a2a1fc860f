package dev.cairn.nix;

import dev.cairn.validation.ValidationException;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A digest with its algorithm. Parses every encoding Nix prints or accepts — {@code
 * sha256:<nixbase32>}, {@code sha256:<base16>}, {@code sha256:<base64>} and SRI {@code
 * sha256-<base64>} — and two encodings of the same digest are equal.
 */
public record Hash(HashAlgorithm algorithm, byte[] bytes) {
  public Hash {
    if (bytes.length != algorithm.size()) {
      throw ValidationException.stated("hash", algorithm.nixName() + " digest must be " + algorithm.size() + " bytes, got " + bytes.length);
    }
    bytes = bytes.clone();
  }

  public static Hash of(HashAlgorithm algorithm, byte[] bytes) {
    return new Hash(algorithm, bytes);
  }

  /** {@code <algo>:<digest>} in nix32, base16 or base64, or SRI {@code <algo>-<base64>}. */
  public static Hash parse(String text) {
    if (text == null) {
      throw ValidationException.stated("hash", "hash is missing");
    }
    int colon = text.indexOf(':');
    int dash = text.indexOf('-');
    if (colon > 0) {
      return parse(HashAlgorithm.ofNixName(text.substring(0, colon)), text.substring(colon + 1));
    }
    if (dash > 0) {
      HashAlgorithm algorithm = HashAlgorithm.ofNixName(text.substring(0, dash));
      return new Hash(algorithm, base64(algorithm, text.substring(dash + 1), "SRI"));
    }
    throw ValidationException.stated("hash", "hash \"" + text + "\" has no algorithm: expected <algo>:<digest> or SRI <algo>-<base64>");
  }

  /** A bare digest of a known algorithm; the encoding follows from its length. */
  public static Hash parse(HashAlgorithm algorithm, String digest) {
    int size = algorithm.size();
    if (digest.length() == size * 2) {
      try {
        return new Hash(algorithm, HexFormat.of().parseHex(digest));
      } catch (IllegalArgumentException e) {
        throw ValidationException.stated("hash", algorithm.nixName() + " base16 digest \"" + digest + "\" has a non-hex character");
      }
    }
    if (digest.length() == Nixbase32.encodedLength(size)) {
      return new Hash(algorithm, Nixbase32.decode(digest, size));
    }
    if (digest.length() == (size + 2) / 3 * 4) {
      return new Hash(algorithm, base64(algorithm, digest, "base64"));
    }
    throw ValidationException.stated("hash", algorithm.nixName() + " digest \"" + digest + "\" has length " + digest.length()
        + "; expected " + size * 2 + " (base16), " + Nixbase32.encodedLength(size) + " (nix32) or " + (size + 2) / 3 * 4 + " (base64)");
  }

  private static byte[] base64(HashAlgorithm algorithm, String text, String form) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw ValidationException.stated("hash", algorithm.nixName() + " " + form + " digest \"" + text + "\" is not valid base64");
    }
    if (bytes.length != algorithm.size()) {
      throw ValidationException.stated("hash", algorithm.nixName() + " " + form + " digest decodes to " + bytes.length
          + " bytes, expected " + algorithm.size());
    }
    return bytes;
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** {@code sha256:<nixbase32>}, as Nix prints it. */
  public String toNixString() {
    return algorithm.nixName() + ":" + Nixbase32.encode(bytes);
  }

  public String toNix32() {
    return Nixbase32.encode(bytes);
  }

  public String toSri() {
    return algorithm.nixName() + "-" + Base64.getEncoder().encodeToString(bytes);
  }

  public String toBase16() {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Hash h && h.algorithm == algorithm && Arrays.equals(h.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return algorithm.hashCode() * 31 + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return toNixString();
  }
}
