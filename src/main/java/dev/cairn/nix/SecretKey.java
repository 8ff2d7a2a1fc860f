package dev.cairn.nix;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * A Nix secret signing key: {@code <name>:<base64 of 64 bytes = 32-byte seed ‖ 32-byte public key>},
 * the format of {@code nix-store --generate-binary-cache-key}.
 */
public record SecretKey(String name, byte[] seed, byte[] publicKey) {
  public SecretKey {
    KeyNames.check(name);
    if (seed.length != 32 || publicKey.length != 32) {
      throw new IllegalArgumentException("secret key " + name + ": seed and public key must be 32 bytes each");
    }
    seed = seed.clone();
    publicKey = publicKey.clone();
  }

  public static SecretKey generate(String name) {
    byte[][] pair = Ed25519.generate();
    return new SecretKey(name, pair[0], pair[1]);
  }

  public static SecretKey parse(String text) {
    String s = text.strip();
    int colon = s.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("secret key must be <name>:<base64>");
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(s.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("secret key " + s.substring(0, colon) + ": not valid base64");
    }
    if (raw.length != 64) {
      throw new IllegalArgumentException("secret key " + s.substring(0, colon) + ": must decode to 64 bytes, got " + raw.length);
    }
    SecretKey key = new SecretKey(s.substring(0, colon), Arrays.copyOf(raw, 32), Arrays.copyOfRange(raw, 32, 64));
    try {
      if (!Arrays.equals(Ed25519.publicOf(key.seed), key.publicKey)) {
        throw new IllegalArgumentException("secret key " + key.name + ": its public half does not match its seed");
      }
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException("secret key " + key.name + ": " + e.getMessage());
    }
    return key;
  }

  public dev.cairn.nix.PublicKey toPublicKey() {
    return new dev.cairn.nix.PublicKey(name, publicKey);
  }

  public Signature sign(String fingerprint) {
    return sign(fingerprint.getBytes(StandardCharsets.UTF_8));
  }

  public Signature sign(byte[] message) {
    return new Signature(name, Ed25519.sign(seed, message));
  }

  @Override
  public byte[] seed() {
    return seed.clone();
  }

  @Override
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** The key file text. */
  @Override
  public String toString() {
    byte[] raw = Arrays.copyOf(seed, 64);
    System.arraycopy(publicKey, 0, raw, 32, 32);
    return name + ":" + Base64.getEncoder().encodeToString(raw);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretKey k && k.name.equals(name) && Arrays.equals(k.seed, seed);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }
}
