package dev.cairn.attest;

import dev.cairn.nix.StorePath;
import dev.cairn.validation.ValidationException;

/**
 * A derivation as lila names it: {@code <hash32>-<name>} without {@code /nix/store/} and
 * without {@code .drv}. Clients that send the {@code .drv} suffix or the full path name the
 * same derivation. {@link #parse} takes only store-path-shaped idents ({@code /api/v1});
 * {@link #lenient} also lila's placeholders ({@code "test123abc-hello-1.0"}): one path segment
 * of printable text, at most {@value #MAX_LENIENT} characters.
 */
public record DrvIdent(String value) {
  static final int MAX_LENIENT = 256;

  public static DrvIdent parse(String text) {
    String s = stripped(text);
    try {
      StorePath.parseBaseName(s);
    } catch (ValidationException e) {
      throw ValidationException.of("drv_ident: " + e.getMessage());
    }
    return new DrvIdent(s);
  }

  /** lila's rule: any non-empty segment of printable text without '/'. */
  public static DrvIdent lenient(String text) {
    String s = stripped(text);
    if (s.isEmpty() || s.length() > MAX_LENIENT || s.indexOf('/') >= 0) {
      throw ValidationException.of("drv_ident: must be 1.." + MAX_LENIENT + " printable characters without '/'");
    }
    return new DrvIdent(s);
  }

  private static String stripped(String text) {
    // Control characters are refused before stripping: strip() would silently drop a trailing CR/LF.
    String s = PrintableText.check("drv_ident", text == null ? "" : text, 1024).strip();
    if (s.startsWith(StorePath.STORE_DIR + "/")) {
      s = s.substring(StorePath.STORE_DIR.length() + 1);
    }
    if (s.endsWith(".drv")) {
      s = s.substring(0, s.length() - 4);
    }
    return s;
  }

  /** Whether this names a derivation by a store path (lila's placeholders do not). */
  public boolean isStorePath() {
    try {
      StorePath.parseBaseName(value);
      return true;
    } catch (ValidationException e) {
      return false;
    }
  }

  public String drvPath() {
    return StorePath.STORE_DIR + "/" + value + ".drv";
  }

  @Override
  public String toString() {
    return value;
  }
}
