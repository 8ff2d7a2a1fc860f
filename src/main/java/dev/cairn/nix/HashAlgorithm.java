package dev.cairn.nix;

import dev.cairn.validation.ValidationException;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/** The hash algorithms Nix names in hashes: {@code md5}, {@code sha1}, {@code sha256}, {@code sha512}. */
public enum HashAlgorithm {
  MD5("md5", "MD5", 16),
  SHA1("sha1", "SHA-1", 20),
  SHA256("sha256", "SHA-256", 32),
  SHA512("sha512", "SHA-512", 64);

  private final String nixName;
  private final String jdkName;
  private final int size;

  HashAlgorithm(String nixName, String jdkName, int size) {
    this.nixName = nixName;
    this.jdkName = jdkName;
    this.size = size;
  }

  public String nixName() {
    return nixName;
  }

  /** Digest length in bytes. */
  public int size() {
    return size;
  }

  public MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance(jdkName);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static HashAlgorithm ofNixName(String name) {
    for (HashAlgorithm a : values()) {
      if (a.nixName.equals(name.toLowerCase(Locale.ROOT))) {
        return a;
      }
    }
    throw ValidationException.stated("hash", "unknown hash algorithm \"" + name + "\" (expected md5, sha1, sha256 or sha512)");
  }
}
