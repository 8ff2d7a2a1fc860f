package dev.cairn.attest;

import dev.cairn.validation.ValidationException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutputHashTest {
  private static final InputLimits LIMITS = InputLimits.defaults();

  @Test
  void everySpellingOfOneSha256IsOneNarHash() {
    for (String s : new String[] {LilaRoutesTest.SHA_NIX, LilaRoutesTest.SHA_SRI, "sha256:" + LilaRoutesTest.SHA_HEX}) {
      OutputHash h = OutputHash.parse("output_hash", s, LIMITS);
      assertEquals(LilaRoutesTest.SHA_NIX, h.text());
      assertTrue(h.narHash().isPresent());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"md5:abc", "sha256-!!!!", "<img src=x>", "sha256:abc123", "md5:00000000000000000000000000000000", "", "sha256"})
  void strictParsingRefusesWhatIsNotASha256NamingTheField(String text) {
    assertTrue(assertThrows(ValidationException.class, () -> OutputHash.parse("body[0].output_hash", text, LIMITS)).getMessage()
        .startsWith("body[0].output_hash: "));
  }

  @Test
  void lenientParsingKeepsPlaceholdersVerbatimAndFlaggedButStillRefusesControlCharacters() {
    OutputHash placeholder = OutputHash.lenient("output_hash", "sha256:abc123", LIMITS);
    assertInstanceOf(OutputHash.Verbatim.class, placeholder);
    assertEquals("sha256:abc123", placeholder.text());
    assertTrue(placeholder.narHash().isEmpty(), "a verbatim value is never a NAR hash");
    assertInstanceOf(OutputHash.Nar.class, OutputHash.lenient("output_hash", LilaRoutesTest.SHA_SRI, LIMITS));
    assertThrows(ValidationException.class, () -> OutputHash.lenient("output_hash", "abc\n", LIMITS));
    assertThrows(ValidationException.class, () -> OutputHash.lenient("output_hash", " ", LIMITS));
  }

  @Test
  void storedValuesAreParsedAgainOnTheWayOut() {
    assertInstanceOf(OutputHash.Nar.class, OutputHash.ofStored(LilaRoutesTest.SHA_NIX));
    assertInstanceOf(OutputHash.Verbatim.class, OutputHash.ofStored("md5:00000000000000000000000000000000"));
    assertInstanceOf(OutputHash.Verbatim.class, OutputHash.ofStored("sha256:x\nStorePath: /nix/store/evil"));
  }
}
