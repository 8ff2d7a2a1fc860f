package dev.cairn.castore;

import dev.cairn.validation.ValidationException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class B3DigestTest {
  static final String EMPTY_HEX = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";
  static final String HELLO_HEX = "5ca7815adcb484e9a136c11efe69c1d530176d549b5d18d038eb5280b4b3470c";

  @Test
  void hashesTheEmptyBlob() {
    assertEquals(EMPTY_HEX, Blake3Hasher.hash(new byte[0]).hex());
  }

  @Test
  void hashesHelloWorld() {
    assertEquals(HELLO_HEX, Blake3Hasher.hash("Hello World!".getBytes(StandardCharsets.UTF_8)).hex());
  }

  @Test
  void incrementalHashingEqualsOneShotHashing() {
    byte[] data = new byte[300_000];
    new java.util.Random(7).nextBytes(data);
    Blake3Hasher h = new Blake3Hasher();
    h.update(data, 0, 1);
    h.update(ByteBuffer.wrap(data, 1, 70_000));
    h.update(ByteBuffer.allocateDirect(229_999).put(data, 70_001, 229_999).flip());
    assertEquals(Blake3Hasher.hash(data), h.digest());
  }

  @Test
  void digestCanBeTakenMidStreamAndHashingContinues() {
    Blake3Hasher h = new Blake3Hasher().update("Hello ".getBytes(StandardCharsets.UTF_8));
    assertEquals(Blake3Hasher.hash("Hello ".getBytes(StandardCharsets.UTF_8)), h.digest());
    h.update("World!".getBytes(StandardCharsets.UTF_8));
    assertEquals(HELLO_HEX, h.digest().hex());
  }

  @Test
  void printsAsB3PrefixedStandardBase64() {
    B3Digest d = B3Digest.fromHex(EMPTY_HEX);
    assertEquals("b3:rxNJufX5oaagQE3qNtzJSZvLJcmtwRK3zJqTyuQfMmI=", d.toString());
  }

  @Test
  void parsesItsOwnPrintedFormAndHex() {
    B3Digest d = B3Digest.fromHex(HELLO_HEX);
    assertEquals(d, B3Digest.parse(d.toString()));
    assertEquals(d, B3Digest.parse(HELLO_HEX));
  }

  @Test
  void equalsComparesContentNotArrayIdentity() {
    assertEquals(B3Digest.fromHex(HELLO_HEX), B3Digest.fromHex(HELLO_HEX));
    assertEquals(B3Digest.fromHex(HELLO_HEX).hashCode(), B3Digest.fromHex(HELLO_HEX).hashCode());
    assertNotEquals(B3Digest.fromHex(HELLO_HEX), B3Digest.fromHex(EMPTY_HEX));
  }

  @Test
  void isImmutable() {
    byte[] raw = new byte[32];
    B3Digest d = B3Digest.of(raw);
    raw[0] = 1;
    d.bytes()[1] = 1;
    assertArrayEquals(new byte[32], d.bytes());
  }

  @Test
  void rejectsDigestOfWrongLength() {
    var e = assertThrows(ValidationException.class, () -> B3Digest.of(new byte[31]));
    assertTrue(e.getMessage().contains("exactly 32 bytes, got 31"), e.getMessage());
    assertThrows(ValidationException.class, () -> B3Digest.of(new byte[33]));
    assertThrows(ValidationException.class, () -> B3Digest.of(new byte[0]));
  }

  @Test
  void rejectsUnparseableText() {
    assertThrows(ValidationException.class, () -> B3Digest.parse("b3:not base64!"));
    assertThrows(ValidationException.class, () -> B3Digest.parse("b3:AAAA"));
    assertThrows(ValidationException.class, () -> B3Digest.parse("sha256:abc"));
    assertThrows(ValidationException.class, () -> B3Digest.parse("zz" + HELLO_HEX.substring(2)));
  }
}
