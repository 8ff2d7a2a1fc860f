package dev.cairn.cache;

import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.Nixbase32;
import dev.cairn.nix.StorePath;
import dev.cairn.store.PathInfo;
import dev.cairn.store.StorePathDigest;
import dev.cairn.validation.ValidationException;

/**
 * The NAR URL Cairn's narinfos name: {@code nar/<store path hash32>-<NAR sha256 nix32>.nar}.
 * The store path hash finds the PathInfo by its key (no index on NAR hashes needed) and the NAR
 * hash pins the content, so a URL never serves other bytes than the narinfo that named it.
 * Clients keep narinfos (and so these URLs) for a long time: this form must stay servable.
 */
record NarUrl(StorePathDigest path, Hash narHash) {
  private static final String SUFFIX = ".nar";
  private static final int NAR_HASH_CHARS = Nixbase32.encodedLength(HashAlgorithm.SHA256.size());

  static NarUrl of(PathInfo info) {
    return new NarUrl(info.digest(), info.narSha256());
  }

  /** The file name after {@code /nar/}; malformed → a ValidationException naming the rule. */
  static NarUrl parse(String file) {
    int length = StorePath.HASH_CHARS + 1 + NAR_HASH_CHARS + SUFFIX.length();
    if (file.length() != length || !file.endsWith(SUFFIX) || file.charAt(StorePath.HASH_CHARS) != '-') {
      throw new ValidationException("nar", "must be <32 nixbase32 characters>-<52 nixbase32 characters>.nar");
    }
    StorePathDigest path = StorePathDigest.of("nar", StorePath.fromHashPart(file.substring(0, StorePath.HASH_CHARS)));
    Hash narHash = new Hash(HashAlgorithm.SHA256,
        Nixbase32.decode(file.substring(StorePath.HASH_CHARS + 1, StorePath.HASH_CHARS + 1 + NAR_HASH_CHARS), HashAlgorithm.SHA256.size()));
    return new NarUrl(path, narHash);
  }

  /** The URL relative to the cache root, as a narinfo's URL field carries it. */
  @Override
  public String toString() {
    return "nar/" + path.hashPart() + "-" + narHash.toNix32() + SUFFIX;
  }
}
