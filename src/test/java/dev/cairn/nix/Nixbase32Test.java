package dev.cairn.nix;

import dev.cairn.validation.ValidationException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Nixbase32Test {
  @Test
  void encodesTheWireVectors() {
    assertEquals("00bgd045z0d4icpbc2yyz4gx48ak44la",
        Nixbase32.encode(HexFormat.of().parseHex("8a12321522fd91efbd60ebb2481af88580f61600")));
    assertEquals("0z", Nixbase32.encode(new byte[] {0x1f}));
    assertEquals("", Nixbase32.encode(new byte[0]));
  }

  @Test
  void decodesTheWireVectors() {
    assertArrayEquals(HexFormat.of().parseHex("8a12321522fd91efbd60ebb2481af88580f61600"),
        Nixbase32.decode("00bgd045z0d4icpbc2yyz4gx48ak44la", 20));
    assertArrayEquals(new byte[] {0x1f}, Nixbase32.decode("0z", 1));
  }

  @Test
  void roundTripsRandomBytesOfEveryLength() {
    Random r = new Random(1);
    for (int n = 0; n < 70; n++) {
      byte[] b = new byte[n];
      r.nextBytes(b);
      String s = Nixbase32.encode(b);
      assertEquals(Nixbase32.encodedLength(n), s.length());
      assertArrayEquals(b, Nixbase32.decode(s, n));
    }
  }

  @Test
  void rejectsCharactersOutsideTheAlphabet() {
    for (String bad : new String[] {"0e", "0o", "0u", "0t", "0A", "0-"}) {
      ValidationException e = assertThrows(ValidationException.class, () -> Nixbase32.decode(bad, 1));
      assertTrue(e.getMessage().contains("not in the alphabet"), e.getMessage());
    }
  }

  @Test
  void rejectsBitsThatDoNotFit() {
    ValidationException e = assertThrows(ValidationException.class, () -> Nixbase32.decode("zz", 1));
    assertTrue(e.getMessage().contains("bits set beyond"), e.getMessage());
  }

  @Test
  void rejectsWrongLength() {
    assertThrows(ValidationException.class, () -> Nixbase32.decode("000", 1));
  }
}
