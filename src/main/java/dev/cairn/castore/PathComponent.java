package dev.cairn.castore;

import dev.cairn.validation.ValidationException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The name of an entry in a directory: 1..255 raw bytes, no {@code /}, no NUL, not {@code .}
 * or {@code ..} (WIRE.md §3, the same rule as NAR entry names). Ordered by unsigned bytes, the
 * order of Directory lists and NAR entries. {@link #ANONYMOUS} is the one exception: the empty
 * name of a root node that has no name (CalculateNAR), never valid inside a directory.
 */
public final class PathComponent implements Comparable<PathComponent> {
  public static final int MAX_LENGTH = 255;
  public static final PathComponent ANONYMOUS = new PathComponent(new byte[0]);

  private final byte[] bytes;

  private PathComponent(byte[] validated) {
    this.bytes = validated;
  }

  public static PathComponent of(byte[] bytes) {
    return of("name", bytes);
  }

  /** As {@link #of(byte[])}, the error naming {@code field}. */
  public static PathComponent of(String field, byte[] bytes) {
    return new PathComponent(checked(field, bytes));
  }

  public static PathComponent of(String name) {
    return of(name.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] checked(String field, byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new ValidationException(field, "a name must not be empty");
    }
    if (bytes.length > MAX_LENGTH) {
      throw new ValidationException(
          field, "a name must be at most " + MAX_LENGTH + " bytes, got " + bytes.length);
    }
    for (byte b : bytes) {
      if (b == '/') {
        throw new ValidationException(field, "a name must not contain '/': " + show(bytes));
      }
      if (b == 0) {
        throw new ValidationException(field, "a name must not contain NUL: " + show(bytes));
      }
    }
    if (bytes[0] == '.' && (bytes.length == 1 || bytes.length == 2 && bytes[1] == '.')) {
      throw new ValidationException(field, "a name must not be '.' or '..'");
    }
    return bytes.clone();
  }

  public boolean isAnonymous() {
    return bytes.length == 0;
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  public int length() {
    return bytes.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PathComponent p && Arrays.equals(bytes, p.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public int compareTo(PathComponent o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  /** UTF-8 with invalid sequences replaced; for messages and logs, not for identity. */
  @Override
  public String toString() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  static String show(byte[] bytes) {
    return '"' + new String(bytes, StandardCharsets.UTF_8).replace("\0", "\\0") + '"';
  }
}
