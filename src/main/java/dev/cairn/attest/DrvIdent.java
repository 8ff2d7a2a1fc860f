package dev.cairn.attest;

import dev.cairn.nix.StorePath;
import dev.cairn.validation.ValidationException;

/**
 * A derivation as lila names it: {@code <hash32>-<name>} without {@code /nix/store/} and
 * without {@code .drv}. Clients that send the {@code .drv} suffix or the full path name the
 * same derivation.
 */
public record DrvIdent(String value) {
  public static DrvIdent parse(String text) {
    // Control characters are refused before stripping: strip() would silently drop a trailing CR/LF.
    String s = PrintableText.check("drv_ident", text == null ? "" : text, 1024).strip();
    if (s.startsWith(StorePath.STORE_DIR + "/")) {
      s = s.substring(StorePath.STORE_DIR.length() + 1);
    }
    if (s.endsWith(".drv")) {
      s = s.substring(0, s.length() - 4);
    }
    try {
      StorePath.parseBaseName(s);
    } catch (ValidationException e) {
      throw ValidationException.of("drv_ident: " + e.getMessage());
    }
    return new DrvIdent(s);
  }

  public String drvPath() {
    return StorePath.STORE_DIR + "/" + value + ".drv";
  }

  @Override
  public String toString() {
    return value;
  }
}
