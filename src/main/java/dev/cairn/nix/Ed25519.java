package dev.cairn.nix;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;

/** Raw 32-byte Ed25519 keys (as Nix stores them) to and from the JDK's key types. */
final class Ed25519 {
  private Ed25519() {}

  /** A fresh key pair as raw (seed, public key). */
  static byte[][] generate() {
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      byte[] seed = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
      return new byte[][] {seed, encode(((EdECPublicKey) pair.getPublic()).getPoint())};
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static PrivateKey privateKey(byte[] seed) throws GeneralSecurityException {
    return KeyFactory.getInstance("Ed25519").generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
  }

  /** The public key of a seed, derived by signing nothing: the JDK exposes no direct derivation. */
  static byte[] publicOf(byte[] seed) throws GeneralSecurityException {
    // Derive through a KeyPairGenerator seeded deterministically with the seed bytes.
    KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
    g.initialize(NamedParameterSpec.ED25519, new FixedRandom(seed));
    KeyPair pair = g.generateKeyPair();
    return encode(((EdECPublicKey) pair.getPublic()).getPoint());
  }

  static PublicKey publicKey(byte[] raw) throws GeneralSecurityException {
    byte[] le = raw.clone();
    boolean xOdd = (le[31] & 0x80) != 0;
    le[31] &= 0x7f;
    byte[] be = new byte[32];
    for (int i = 0; i < 32; i++) {
      be[i] = le[31 - i];
    }
    EdECPoint point = new EdECPoint(xOdd, new BigInteger(1, be));
    return KeyFactory.getInstance("Ed25519").generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519, point));
  }

  private static byte[] encode(EdECPoint point) {
    byte[] be = point.getY().toByteArray();
    byte[] le = new byte[32];
    for (int i = 0; i < be.length && i < 32; i++) {
      le[i] = be[be.length - 1 - i];
    }
    if (point.isXOdd()) {
      le[31] |= (byte) 0x80;
    }
    return le;
  }

  static byte[] sign(byte[] seed, byte[] message) {
    try {
      java.security.Signature s = java.security.Signature.getInstance("Ed25519");
      s.initSign(privateKey(seed));
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    try {
      java.security.Signature s = java.security.Signature.getInstance("Ed25519");
      s.initVerify(publicKey(publicKey));
      s.update(message);
      return s.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /** Hands out the seed as the "random" bytes: the JDK's generator uses them as the private key. */
  private static final class FixedRandom extends java.security.SecureRandom {
    private final byte[] seed;

    FixedRandom(byte[] seed) {
      this.seed = seed.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
    }
  }
}
