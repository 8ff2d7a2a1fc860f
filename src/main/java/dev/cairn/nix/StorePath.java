package dev.cairn.nix;

import dev.cairn.validation.ValidationException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A Nix store path: 20-byte digest and name. Full form {@code /nix/store/<32 nix32>-<name>},
 * basename form without the store directory. Names are 1..211 characters of
 * {@code [A-Za-z0-9+-._?=]}; anything after the name (a {@code /bin/x}) is not a store path.
 */
public record StorePath(byte[] digest, String name) implements Comparable<StorePath> {
  public static final String STORE_DIR = "/nix/store";
  public static final int DIGEST_SIZE = 20;
  public static final int HASH_CHARS = 32;
  public static final int MAX_NAME = 211;

  public StorePath {
    if (digest.length != DIGEST_SIZE) {
      throw ValidationException.stated("store_path", "store path digest must be 20 bytes, got " + digest.length);
    }
    validateName(name);
    digest = digest.clone();
  }

  public static void validateName(String name) {
    if (name == null || name.isEmpty()) {
      throw ValidationException.stated("store_path", "store path name must not be empty");
    }
    if (name.length() > MAX_NAME) {
      throw ValidationException.stated("store_path", "store path name is " + name.length() + " characters, more than " + MAX_NAME);
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '+' || c == '-' || c == '.' || c == '_' || c == '?' || c == '=';
      if (!ok) {
        throw ValidationException.stated("store_path", "store path name \"" + name + "\" has character '" + c + "' at " + i
            + "; allowed are A-Z a-z 0-9 + - . _ ? =");
      }
    }
  }

  /** {@code /nix/store/<hash>-<name>}. */
  public static StorePath parse(String full) {
    if (full == null || !full.startsWith(STORE_DIR + "/")) {
      throw ValidationException.stated("store_path", "store path \"" + full + "\" is not under " + STORE_DIR + "/");
    }
    return parseBaseName(full.substring(STORE_DIR.length() + 1));
  }

  /** {@code <hash>-<name>}. */
  public static StorePath parseBaseName(String baseName) {
    if (baseName == null || baseName.length() < HASH_CHARS + 2 || baseName.charAt(HASH_CHARS) != '-') {
      throw ValidationException.stated("store_path", "store path basename \"" + baseName + "\" must be <32 nixbase32 characters>-<name>");
    }
    return new StorePath(fromHashPart(baseName.substring(0, HASH_CHARS)), baseName.substring(HASH_CHARS + 1));
  }

  /** The 20 bytes of a 32-character hash part. */
  public static byte[] fromHashPart(String hashPart) {
    if (hashPart.length() != HASH_CHARS) {
      throw ValidationException.stated("store_path", "store path hash \"" + hashPart + "\" must be 32 nixbase32 characters");
    }
    return Nixbase32.decode(hashPart, DIGEST_SIZE);
  }

  @Override
  public byte[] digest() {
    return digest.clone();
  }

  public String hashPart() {
    return Nixbase32.encode(digest);
  }

  public String baseName() {
    return hashPart() + "-" + name;
  }

  public String fullPath() {
    return STORE_DIR + "/" + baseName();
  }

  public byte[] baseNameBytes() {
    return baseName().getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public int compareTo(StorePath o) {
    return baseName().compareTo(o.baseName());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StorePath p && Arrays.equals(p.digest, digest) && p.name.equals(name);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(digest) * 31 + name.hashCode();
  }

  @Override
  public String toString() {
    return fullPath();
  }
}
