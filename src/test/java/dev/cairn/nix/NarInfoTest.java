package dev.cairn.nix;

import dev.cairn.validation.ValidationException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NarInfoTest {
  private static final String TEXT = """
      StorePath: /nix/store/00bgd045z0d4icpbc2yyz4gx48ak44la-top
      URL: nar/1w1fff338fvdw53sqgamddn1b2xgds473pv6y13gizdbqjv4i5p3.nar.xz
      Compression: xz
      FileHash: sha256:1w1fff338fvdw53sqgamddn1b2xgds473pv6y13gizdbqjv4i5p3
      FileSize: 4029
      NarHash: sha256:1impfw8zdgisxkghq9a3q7cn4r6iz4iyrgbk3v0pd5di2r1p2rv1
      NarSize: 34878
      References: 0zvb2lk9z4s9v4r7yzvvwfnhkxxhjm8j-dep 00bgd045z0d4icpbc2yyz4gx48ak44la-top
      Deriver: 5x5fxi9w1hm5lx1zgivkhzlzsdml1sx7-top.drv
      System: x86_64-linux
      Sig: cache.nixos.org-1:NpPNhpjOYmJTQWrlE1/1u5f4rQOY/RNLe8CbqXsvHUlCjqvaIVbzTNJGGUAzfvLmyAnsDF/tIidkufa3tv3QBw==
      Sig: other:NpPNhpjOYmJTQWrlE1/1u5f4rQOY/RNLe8CbqXsvHUlCjqvaIVbzTNJGGUAzfvLmyAnsDF/tIidkufa3tv3QBw==
      CA: fixed:r:sha256:1impfw8zdgisxkghq9a3q7cn4r6iz4iyrgbk3v0pd5di2r1p2rv1
      """;

  @Test
  void roundTripsEveryField() {
    NarInfo info = NarInfo.parse(TEXT);
    assertEquals("top", info.storePath().name());
    assertEquals("xz", info.compression());
    assertEquals(4029L, info.fileSize().orElseThrow());
    assertEquals(34878L, info.narSize());
    assertEquals(2, info.references().size());
    assertEquals("dep", info.references().get(0).name(), "reference order kept");
    assertEquals("top.drv", info.deriver().orElseThrow().name());
    assertEquals(2, info.signatures().size());
    assertEquals(TEXT, info.render());
  }

  @Test
  void compressionDefaultsToBzip2AndUnknownKeysAreIgnored() {
    NarInfo info = NarInfo.parse("StorePath: /nix/store/00bgd045z0d4icpbc2yyz4gx48ak44la-x\nURL: nar/x.nar\n"
        + "NarHash: sha256:1impfw8zdgisxkghq9a3q7cn4r6iz4iyrgbk3v0pd5di2r1p2rv1\nNarSize: 1\nFutureKey: whatever\nReferences: \n");
    assertEquals("bzip2", info.compression());
    assertTrue(info.references().isEmpty());
  }

  @Test
  void rendersNoReferencesAsNixDoesAndParsesThemBack() {
    NarInfo info = NarInfo.parse(TEXT.lines().filter(l -> !l.startsWith("References:")).reduce("", (a, b) -> a + b + "\n"));
    assertTrue(info.render().contains("\nReferences: \n"), info.render());
    assertEquals(info, NarInfo.parse(info.render()));
  }

  @Test
  void fingerprintJoinsFullReferencePathsInTheGivenOrder() {
    NarInfo info = NarInfo.parse(TEXT);
    assertEquals("1;/nix/store/00bgd045z0d4icpbc2yyz4gx48ak44la-top;sha256:1impfw8zdgisxkghq9a3q7cn4r6iz4iyrgbk3v0pd5di2r1p2rv1;34878;"
        + "/nix/store/0zvb2lk9z4s9v4r7yzvvwfnhkxxhjm8j-dep,/nix/store/00bgd045z0d4icpbc2yyz4gx48ak44la-top", info.fingerprint());
  }

  @Test
  void rejectsMissingRequiredFieldsNamingThem() {
    for (String field : List.of("StorePath", "URL", "NarHash", "NarSize")) {
      String text = TEXT.lines().filter(l -> !l.startsWith(field + ":")).reduce("", (a, b) -> a + b + "\n");
      ValidationException e = assertThrows(ValidationException.class, () -> NarInfo.parse(text));
      assertEquals("narinfo " + field + ": required field is missing", e.getMessage());
    }
  }

  @Test
  void rejectsMalformedValuesNamingTheField() {
    assertTrue(assertThrows(ValidationException.class, () -> NarInfo.parse(TEXT.replace("NarSize: 34878", "NarSize: 0")))
        .getMessage().startsWith("narinfo NarSize"));
    assertTrue(assertThrows(ValidationException.class, () -> NarInfo.parse(TEXT.replace("Compression: xz", "Compression: rar")))
        .getMessage().startsWith("narinfo Compression"));
    assertTrue(assertThrows(ValidationException.class, () -> NarInfo.parse(TEXT.replace("-top.drv", "-top")))
        .getMessage().startsWith("narinfo Deriver"));
    assertTrue(assertThrows(ValidationException.class, () -> NarInfo.parse(TEXT + "garbage line\n"))
        .getMessage().contains("Key: value"));
  }

  @Test
  void lenientRenderingWritesStoredTextInNixKeyOrderAndLeavesOutWhatCannotBeOneLine() {
    String text = NarInfo.render(List.of(new NarInfo.Line("Sig", "sig1"), new NarInfo.Line("StorePath", "/nix/store/test123-hello"),
        new NarInfo.Line("NarHash", " sha256:abc123 "), new NarInfo.Line("Deriver", "x.drv\nStorePath: /nix/store/evil"),
        new NarInfo.Line("NarSize", "0"), new NarInfo.Line("URL", "")), NarInfo.RenderMode.LENIENT);
    assertEquals("StorePath: /nix/store/test123-hello\nNarHash: sha256:abc123\nNarSize: 0\nSig: sig1\n", text);
  }

  @Test
  void strictRenderingRefusesAValueThatIsNotOneLine() {
    assertTrue(assertThrows(ValidationException.class, () -> NarInfo.render(List.of(new NarInfo.Line("System", "x\ry")), NarInfo.RenderMode.STRICT))
        .getMessage().contains("System"));
    assertEquals("References: \n", NarInfo.render(List.of(new NarInfo.Line("References", "")), NarInfo.RenderMode.STRICT));
  }
}
