package dev.cairn.store.upstream;

import dev.cairn.nix.NarInfo;
import dev.cairn.nix.PublicKey;
import dev.cairn.nix.Signature;
import dev.cairn.nix.StorePath;
import dev.cairn.store.StorePathDigest;
import dev.cairn.validation.ValidationException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An upstream narinfo that may be acted on: it parses, it is the path that was asked for, its NAR
 * URL stays inside the upstream, and at least one signature verifies under a key trusted for that
 * upstream (WIRE.md §1: the fingerprint with references in the order listed). Only those
 * signatures are kept: a signature this store could not check is not passed on.
 */
record TrustedNarInfo(Upstream upstream, NarInfo info) {
  /** Relative, inside the cache: no scheme, no leading slash, no "..", no query. */
  private static final Pattern NAR_URL = Pattern.compile("[A-Za-z0-9+_.=-][A-Za-z0-9+_.=/-]{0,1023}");

  static TrustedNarInfo check(Upstream upstream, StorePathDigest requested, String text) {
    NarInfo info;
    try {
      info = NarInfo.parse(text);
    } catch (ValidationException e) {
      throw UpstreamException.badGateway(upstream, "narinfo of " + requested.hashPart() + " is malformed: " + e.getMessage());
    }
    StorePath path = info.storePath();
    if (!StorePathDigest.of(path).equals(requested)) {
      throw UpstreamException.badGateway(upstream, "narinfo of " + requested.hashPart() + " is for another path: StorePath " + path.fullPath());
    }
    if (!NAR_URL.matcher(info.url()).matches() || info.url().contains("..")) {
      throw UpstreamException.badGateway(upstream, "narinfo of " + path.baseName() + ": URL " + info.url() + " is not a relative path inside the cache");
    }
    String fingerprint;
    try {
      fingerprint = info.fingerprint();
    } catch (ValidationException e) {
      throw UpstreamException.badGateway(upstream, "narinfo of " + path.baseName() + ": " + e.getMessage());
    }
    List<Signature> trusted = info.signatures().stream()
        .filter(s -> upstream.trusts(fingerprint, s))
        .toList();
    if (trusted.isEmpty()) {
      throw UpstreamException.badGateway(upstream, "narinfo of " + path.baseName() + " has no valid signature by a trusted key ("
          + String.join(", ", upstream.trustedKeys().stream().map(PublicKey::name).toList()) + "); refused");
    }
    return new TrustedNarInfo(upstream, new NarInfo(info.storePath(), info.url(), info.compression(), info.fileHash(), info.fileSize(),
        info.narHash(), info.narSize(), info.references(), info.deriver(), info.system(), trusted, info.ca()));
  }
}
