package dev.cairn.cache;

import dev.cairn.nix.NarInfo;
import dev.cairn.nix.SecretKey;
import dev.cairn.nix.Signature;
import dev.cairn.store.PathInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A stored PathInfo as the narinfo this cache serves: the NAR uncompressed at its
 * {@link NarUrl} (so FileHash/FileSize are the NAR's), references in stored order, every
 * stored signature, and one by each of our keys whose name the path does not carry yet.
 */
final class CacheNarInfo {
  private CacheNarInfo() {}

  static NarInfo of(PathInfo info, List<SecretKey> keys) {
    List<Signature> sigs = new ArrayList<>(info.signatures());
    String fingerprint = null;
    for (SecretKey key : keys) {
      if (sigs.stream().noneMatch(s -> s.keyName().equals(key.name()))) {
        fingerprint = fingerprint == null ? info.fingerprint() : fingerprint;
        sigs.add(key.sign(fingerprint));
      }
    }
    return new NarInfo(info.storePath(), NarUrl.of(info).toString(), "none", Optional.of(info.narSha256()), Optional.of(info.narSize()),
        info.narSha256(), info.narSize(), info.references(), info.deriver(), Optional.empty(), sigs, info.ca());
  }
}
