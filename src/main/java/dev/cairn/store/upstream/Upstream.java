package dev.cairn.store.upstream;

import dev.cairn.nix.PublicKey;
import dev.cairn.nix.Signature;
import java.net.URI;
import java.util.List;

/**
 * One configured upstream Nix binary cache: its base URL and the keys whose signatures make its
 * narinfos acceptable (at least one must verify).
 */
public record Upstream(URI base, List<PublicKey> trustedKeys) {
  public Upstream {
    trustedKeys = List.copyOf(trustedKeys);
    String text = base.toString();
    base = URI.create(text.endsWith("/") ? text : text + "/");
  }

  /** Whether {@code signature} verifies over {@code fingerprint} under a key trusted for this cache. */
  public boolean trusts(String fingerprint, Signature signature) {
    return trustedKeys.stream().anyMatch(k -> k.name().equals(signature.keyName()) && k.verify(fingerprint, signature));
  }

  /** A file of this cache: {@code <hash>.narinfo}, or a narinfo's relative NAR URL. */
  public URI resolve(String relative) {
    return base.resolve(relative);
  }

  @Override
  public String toString() {
    return base.toString();
  }
}
