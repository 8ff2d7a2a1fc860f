package dev.cairn.castore;

import dev.cairn.validation.ValidationException;

/**
 * How DirectoryNode.size is computed — a known incompatibility (WIRE.md §3). The proto comment
 * says "entries plus, for each subdirectory, its size" (F+S+D+Σ); tvix's Rust code, and every
 * digest its clients compute, uses 2·(F+S+D)+Σ. The size is part of the parent's encoding, so
 * the formula changes digests: we produce {@link #TVIX} by default and accept anything between
 * the two.
 */
public enum DirectorySizeFormula {
  /** 2·(F+S+D)+Σ, what tvix computes and checks. The default. */
  TVIX,
  /** F+S+D+Σ, the definition in the castore.proto comment. */
  PROTO;

  public static final DirectorySizeFormula DEFAULT = TVIX;

  /** {@code entries} = F+S+D, {@code childSizes} = Σ of the subdirectories' size fields. */
  long combine(long entries, long childSizes) {
    long counted = this == TVIX ? Math.multiplyExact(2L, entries) : entries;
    return Math.addExact(counted, childSizes);
  }

  public long sizeOf(Directory directory) {
    return directory.size(this);
  }

  /** Whether {@code claimed} lies in the tolerated range [PROTO, TVIX] for {@code child}. */
  public static boolean tolerates(Directory child, long claimed) {
    return claimed >= child.size(PROTO) && claimed <= child.size(TVIX);
  }

  /** Rejects a DirectoryNode whose size does not fit the directory it points to. */
  public static void checkClaimedSize(String field, long claimed, Directory child) {
    if (!tolerates(child, claimed)) {
      throw new ValidationException(
          field,
          "size " + claimed + " does not fit directory " + child.digest() + ": expected between "
              + child.size(PROTO) + " (F+S+D+Σ) and " + child.size(TVIX) + " (2·(F+S+D)+Σ)");
    }
  }
}
