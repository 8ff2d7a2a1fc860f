package dev.cairn.castore;

import dev.cairn.validation.ValidationException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** What a symlink points to: 1..4095 raw bytes without NUL (WIRE.md §3, as in NAR). */
public final class SymlinkTarget {
  public static final int MAX_LENGTH = 4095;

  private final byte[] bytes;

  private SymlinkTarget(byte[] validated) {
    this.bytes = validated;
  }

  public static SymlinkTarget of(byte[] bytes) {
    return of("target", bytes);
  }

  public static SymlinkTarget of(String field, byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new ValidationException(field, "a symlink target must not be empty");
    }
    if (bytes.length > MAX_LENGTH) {
      throw new ValidationException(
          field, "a symlink target must be at most " + MAX_LENGTH + " bytes, got " + bytes.length);
    }
    for (byte b : bytes) {
      if (b == 0) {
        throw new ValidationException(
            field, "a symlink target must not contain NUL: " + PathComponent.show(bytes));
      }
    }
    return new SymlinkTarget(bytes.clone());
  }

  public static SymlinkTarget of(String target) {
    return of(target.getBytes(StandardCharsets.UTF_8));
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  public int length() {
    return bytes.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SymlinkTarget t && Arrays.equals(bytes, t.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
