package dev.cairn.attest;

import dev.cairn.nix.Signature;
import dev.cairn.validation.ValidationException;
import java.util.Optional;

/**
 * The narinfo-shaped text of lila's {@code GET /signatures/{user}/{digest}.narinfo}, built only
 * from parsed values: the stored hash and signature are parsed again on the way out and
 * rendered in Nix's own form, so nothing a client sent verbatim (a newline that would add a
 * {@code StorePath:} line, a hash that is not one) can reach it, including rows stored before
 * input was checked. No narinfo exists for an attestation whose hash is not a NAR hash.
 */
final class SignatureNarInfo {
  private SignatureNarInfo() {}

  static Optional<String> render(AttestationService.AttestationRow row) {
    Optional<dev.cairn.nix.Hash> narHash = OutputHash.ofStored(row.hash()).narHash();
    if (narHash.isEmpty()) {
      return Optional.empty();
    }
    StringBuilder b = new StringBuilder();
    b.append("StorePath: ").append(row.path().fullPath()).append('\n');
    b.append("URL: no\n");
    b.append("NarHash: ").append(narHash.get().toNixString()).append('\n');
    b.append("NarSize: ").append(row.narSize() == null ? 0 : row.narSize()).append('\n');
    try {
      b.append("Deriver: ").append(DrvIdent.parse(row.drvIdent()).value()).append(".drv\n");
    } catch (ValidationException e) {
      // A derivation stored before idents were checked: no Deriver line rather than an unchecked one.
    }
    signature(row.sig()).ifPresent(s -> b.append("Sig: ").append(s).append('\n'));
    return Optional.of(b.toString());
  }

  private static Optional<Signature> signature(String stored) {
    if (stored == null || stored.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Signature.parse(stored));
    } catch (ValidationException e) {
      return Optional.empty();
    }
  }
}
