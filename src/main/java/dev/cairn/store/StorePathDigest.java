package dev.cairn.store;

import dev.cairn.nix.Nixbase32;
import dev.cairn.nix.StorePath;
import dev.cairn.validation.ValidationException;
import java.util.Arrays;

/**
 * The 20-byte digest of a store path: the key of a {@link PathInfoService} (tvix's
 * {@code GetPathInfoRequest.by_output_hash}). Immutable; the bytes are copied on the way in
 * and out. Human form is the 32-character nixbase32 hash part of the path.
 */
public record StorePathDigest(byte[] bytes) implements Comparable<StorePathDigest> {
  public StorePathDigest {
    bytes = checked("digest", bytes);
  }

  private static byte[] checked(String field, byte[] bytes) {
    if (bytes == null || bytes.length != StorePath.DIGEST_SIZE) {
      throw new ValidationException(field, "must be the " + StorePath.DIGEST_SIZE + "-byte digest of a store path, got "
          + (bytes == null ? "none" : bytes.length + " bytes"));
    }
    return bytes.clone();
  }

  /** Validates the length; the error names {@code field}. */
  public static StorePathDigest of(String field, byte[] bytes) {
    return new StorePathDigest(checked(field, bytes));
  }

  public static StorePathDigest of(StorePath path) {
    return new StorePathDigest(path.digest());
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The 32 nixbase32 characters of a store path with this digest. */
  public String hashPart() {
    return Nixbase32.encode(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StorePathDigest d && Arrays.equals(bytes, d.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public int compareTo(StorePathDigest o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public String toString() {
    return hashPart();
  }
}
