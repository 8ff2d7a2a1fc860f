package dev.cairn.nix;

import dev.cairn.validation.ValidationException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HashTest {
  private static final Hash HELLO = Hash.of(HashAlgorithm.SHA256,
      HashAlgorithm.SHA256.newDigest().digest("hello".getBytes(StandardCharsets.UTF_8)));

  @Test
  void everyEncodingOfOneDigestIsTheSameHash() {
    String hex = HELLO.toBase16();
    assertEquals("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", hex);
    assertEquals(HELLO, Hash.parse("sha256:" + hex));
    assertEquals(HELLO, Hash.parse(HELLO.toNixString()));
    assertEquals(HELLO, Hash.parse(HELLO.toSri()));
    assertEquals(HELLO, Hash.parse("sha256:" + HELLO.toSri().substring(7)));
    assertEquals(HELLO, Hash.parse(HashAlgorithm.SHA256, HELLO.toNix32()));
    assertEquals(HELLO.hashCode(), Hash.parse(HELLO.toSri()).hashCode());
  }

  @Test
  void printsAsNixDoes() {
    assertEquals("sha256:" + Nixbase32.encode(HELLO.bytes()), HELLO.toNixString());
    assertEquals("sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", HELLO.toSri());
  }

  @Test
  void parsesOtherAlgorithms() {
    for (HashAlgorithm a : HashAlgorithm.values()) {
      Hash h = Hash.of(a, a.newDigest().digest(new byte[] {1}));
      assertEquals(h, Hash.parse(h.toNixString()));
      assertEquals(h, Hash.parse(h.toSri()));
      assertEquals(h, Hash.parse(a.nixName() + ":" + h.toBase16()));
    }
  }

  @Test
  void differentAlgorithmsAreDifferentHashes() {
    byte[] b = new byte[20];
    assertNotEquals(Hash.of(HashAlgorithm.SHA1, b), Hash.parse("sha256:" + "0".repeat(64)));
  }

  @Test
  void rejectsMalformedHashesNamingTheProblem() {
    assertTrue(assertThrows(ValidationException.class, () -> Hash.parse("sha257:abc")).getMessage().contains("unknown hash algorithm"));
    assertTrue(assertThrows(ValidationException.class, () -> Hash.parse("abcdef")).getMessage().contains("no algorithm"));
    assertTrue(assertThrows(ValidationException.class, () -> Hash.parse("sha256:abc")).getMessage().contains("length 3"));
    assertTrue(assertThrows(ValidationException.class, () -> Hash.parse("sha256:" + "g".repeat(64))).getMessage().contains("non-hex"));
    assertTrue(assertThrows(ValidationException.class, () -> Hash.parse("sha256-!!!!")).getMessage().contains("base64"));
    assertThrows(ValidationException.class, () -> Hash.parse("sha256:" + "e".repeat(52)));
  }
}
