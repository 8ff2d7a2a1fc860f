package dev.cairn.castore;

import dev.cairn.validation.ValidationException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A BLAKE3-256 digest: the identity of a blob, a chunk or a directory. Immutable; the bytes
 * are copied on the way in and out. Human form is {@code b3:} + standard base64 (WIRE.md §3).
 */
public record B3Digest(byte[] bytes) implements Comparable<B3Digest> {
  public static final int LENGTH = 32;
  private static final String PREFIX = "b3:";

  public B3Digest {
    bytes = checked("digest", bytes);
  }

  private static byte[] checked(String field, byte[] bytes) {
    if (bytes == null || bytes.length != LENGTH) {
      throw new ValidationException(
          field,
          "a BLAKE3 digest must be exactly " + LENGTH + " bytes, got "
              + (bytes == null ? "none" : bytes.length));
    }
    return bytes.clone();
  }

  /** Validates the length; throws {@link ValidationException} naming field {@code digest}. */
  public static B3Digest of(byte[] bytes) {
    return new B3Digest(bytes);
  }

  /** As {@link #of(byte[])}, but the error names {@code field}. */
  public static B3Digest of(String field, byte[] bytes) {
    return new B3Digest(checked(field, bytes));
  }

  /** Accepts the human form {@code b3:<base64>} and 64 hex characters. */
  public static B3Digest parse(String text) {
    byte[] raw;
    try {
      if (text.startsWith(PREFIX)) {
        raw = Base64.getDecoder().decode(text.substring(PREFIX.length()));
      } else if (text.length() == 2 * LENGTH) {
        raw = HexFormat.of().parseHex(text);
      } else {
        throw new ValidationException(
            "digest", "expected b3:<base64> or 64 hex characters, got \"" + text + "\"");
      }
    } catch (IllegalArgumentException e) {
      throw new ValidationException("digest", "cannot decode \"" + text + "\": " + e.getMessage());
    }
    return of(raw);
  }

  public static B3Digest fromHex(String hex) {
    try {
      return of(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new ValidationException("digest", "not hex: \"" + hex + "\"");
    }
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  public String hex() {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof B3Digest d && Arrays.equals(bytes, d.bytes);
  }

  @Override
  public int hashCode() {
    // The bytes are already uniformly distributed.
    return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
  }

  @Override
  public int compareTo(B3Digest o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public String toString() {
    return PREFIX + Base64.getEncoder().encodeToString(bytes);
  }
}
