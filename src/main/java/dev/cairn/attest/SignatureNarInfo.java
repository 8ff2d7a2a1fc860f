package dev.cairn.attest;

import dev.cairn.nix.Hash;
import dev.cairn.nix.NarInfo;
import dev.cairn.nix.Signature;
import dev.cairn.validation.ValidationException;
import java.util.ArrayList;
import java.util.List;

/**
 * The narinfo of lila's {@code GET /signatures/{user}/{digest}.narinfo}, written by the one
 * narinfo writer ({@link NarInfo#render(List, NarInfo.RenderMode)}). For a store path attested
 * with a NAR hash every value is a parsed one, in Nix's own form. lila's placeholder values
 * ({@link OutputPath.Placeholder}, {@link OutputHash.Verbatim}, a signature that is not a Nix
 * one) are shown as lila shows them, in the lenient mode: a value that is not printable text on
 * one line (a row stored before input was checked) leaves its line out, so no newline can add a
 * line, and Nix refuses such a narinfo anyway, since its StorePath or NarHash is not one.
 */
final class SignatureNarInfo {
  private SignatureNarInfo() {}

  static String render(AttestationReads.AttestationRow row) {
    OutputHash hash = OutputHash.ofStored(row.hash());
    List<NarInfo.Line> lines = new ArrayList<>();
    lines.add(new NarInfo.Line("StorePath", row.path().fullPath()));
    lines.add(new NarInfo.Line("URL", "no"));
    lines.add(new NarInfo.Line("NarHash", hash.narHash().map(Hash::toNixString).orElse(hash.text())));
    lines.add(new NarInfo.Line("NarSize", Long.toString(row.narSize() == null ? 0 : row.narSize())));
    try {
      lines.add(new NarInfo.Line("Deriver", DrvIdent.lenient(row.drvIdent()).value() + ".drv"));
    } catch (ValidationException e) {
      // A derivation stored before idents were checked: no Deriver line rather than an unchecked one.
    }
    String sig = row.sig();
    if (sig != null && !sig.isEmpty()) {
      lines.add(new NarInfo.Line("Sig", signature(sig)));
    }
    return NarInfo.render(lines, NarInfo.RenderMode.LENIENT);
  }

  /** A Nix signature in its canonical form; anything else (lila accepts any text) as stored. */
  private static String signature(String stored) {
    try {
      return Signature.parse(stored).toString();
    } catch (ValidationException e) {
      return stored;
    }
  }
}
