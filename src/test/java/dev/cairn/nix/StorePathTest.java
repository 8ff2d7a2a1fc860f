package dev.cairn.nix;

import dev.cairn.validation.ValidationException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StorePathTest {
  private static final String HASH = "00bgd045z0d4icpbc2yyz4gx48ak44la";

  @Test
  void parsesFullAndBaseNameForms() {
    StorePath p = StorePath.parse("/nix/store/" + HASH + "-hello-2.12");
    assertEquals("hello-2.12", p.name());
    assertEquals(HASH, p.hashPart());
    assertEquals(HASH + "-hello-2.12", p.baseName());
    assertEquals(p, StorePath.parseBaseName(HASH + "-hello-2.12"));
    assertEquals("/nix/store/" + HASH + "-hello-2.12", p.fullPath());
  }

  @Test
  void acceptsEveryAllowedCharacterAndALeadingDot() {
    assertEquals(".a+b-c.d_e?f=g", StorePath.parseBaseName(HASH + "-.a+b-c.d_e?f=g").name());
  }

  @Test
  void acceptsNamesUpTo211Characters() {
    assertEquals(211, StorePath.parseBaseName(HASH + "-" + "a".repeat(211)).name().length());
    assertTrue(assertThrows(ValidationException.class, () -> StorePath.parseBaseName(HASH + "-" + "a".repeat(212)))
        .getMessage().contains("more than 211"));
  }

  @Test
  void rejectsWhatIsNotAStorePath() {
    String[] bad = {
      "/nix/store/" + HASH + "-hello/bin/hello", // a path inside a store path
      "/nix/store/" + HASH + "-", // empty name
      "/nix/store/" + HASH, // no name
      "/gnu/store/" + HASH + "-x", // another store dir
      "/nix/store/" + HASH.replace('0', 'e') + "-x", // e is not nixbase32
      "/nix/store/" + HASH.substring(1) + "-x", // 31 characters
      "/nix/store/" + HASH + "-a b", // space
      "/nix/store/" + HASH + "-ä", // non-ASCII
      "/nix/store/" + HASH + "_x", // no dash
    };
    for (String s : bad) {
      assertThrows(ValidationException.class, () -> StorePath.parse(s), s);
    }
  }
}
