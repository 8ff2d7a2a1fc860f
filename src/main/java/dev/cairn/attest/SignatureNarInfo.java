package dev.cairn.attest;

import dev.cairn.nix.Signature;
import dev.cairn.validation.ValidationException;
import java.util.Optional;

/**
 * The narinfo-shaped text of lila's {@code GET /signatures/{user}/{digest}.narinfo}. For a store
 * path attested with a NAR hash it is built only from parsed values, rendered in Nix's own form.
 * For lila's placeholder values ({@link OutputPath.Placeholder}, {@link OutputHash.Verbatim}, a
 * signature that is not a Nix one) the stored text is shown as lila shows it, each value checked
 * again as printable text on the way out (a value that fails, e.g. a row stored before input was
 * checked, leaves its line out): no newline can add a line, and Nix refuses such a narinfo anyway,
 * since its StorePath or NarHash is not one.
 */
final class SignatureNarInfo {
  private SignatureNarInfo() {}

  static String render(AttestationReads.AttestationRow row) {
    OutputHash hash = OutputHash.ofStored(row.hash());
    StringBuilder b = new StringBuilder();
    b.append("StorePath: ").append(row.path().fullPath()).append('\n');
    b.append("URL: no\n");
    Optional<String> narHash = hash.narHash().map(dev.cairn.nix.Hash::toNixString).or(() -> printable(hash.text()));
    narHash.ifPresent(h -> b.append("NarHash: ").append(h).append('\n'));
    b.append("NarSize: ").append(row.narSize() == null ? 0 : row.narSize()).append('\n');
    try {
      String deriver = DrvIdent.lenient(row.drvIdent()).value();
      b.append("Deriver: ").append(deriver).append(".drv\n");
    } catch (ValidationException e) {
      // A derivation stored before idents were checked: no Deriver line rather than an unchecked one.
    }
    signature(row.sig()).ifPresent(s -> b.append("Sig: ").append(s).append('\n'));
    return b.toString();
  }

  private static Optional<String> signature(String stored) {
    if (stored == null || stored.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Signature.parse(stored).toString());
    } catch (ValidationException e) {
      return printable(stored);
    }
  }

  private static Optional<String> printable(String stored) {
    try {
      return Optional.of(PrintableText.check("stored", stored, Integer.MAX_VALUE).strip()).filter(s -> !s.isEmpty());
    } catch (ValidationException e) {
      return Optional.empty();
    }
  }
}
