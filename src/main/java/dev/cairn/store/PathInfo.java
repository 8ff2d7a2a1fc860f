package dev.cairn.store;

import dev.cairn.castore.Node;
import dev.cairn.castore.PathComponent;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.NarInfo;
import dev.cairn.nix.Signature;
import dev.cairn.nix.StorePath;
import dev.cairn.validation.ValidationException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A store path in castore terms, validated: its root node (named by the store path's
 * basename), NAR size and sha256, signatures, deriver, CA, and its references twice — by name
 * in the order received (Nix signs that order) and by content (each reference's root node, or
 * explicitly unknown).
 */
public record PathInfo(
    StorePath storePath,
    Node node,
    long narSize,
    Hash narSha256,
    List<Signature> signatures,
    Optional<StorePath> deriver,
    Optional<String> ca,
    List<StorePath> references,
    SortedMap<StorePath, ReferenceNode> referenceNodes) {

  public PathInfo {
    if (!node.name().equals(PathComponent.of(storePath.baseNameBytes()))) {
      throw new ValidationException("node.name", "must be the store path basename " + storePath.baseName() + ", got " + node.name());
    }
    if (narSize <= 0) {
      throw new ValidationException("narinfo.nar_size", "must be positive");
    }
    if (narSha256.algorithm() != HashAlgorithm.SHA256) {
      throw new ValidationException("narinfo.nar_sha256", "must be a sha256");
    }
    if (deriver.isPresent() && !deriver.get().name().endsWith(".drv")) {
      throw new ValidationException("narinfo.deriver", "must name a .drv, got " + deriver.get().name());
    }
    references = List.copyOf(references);
    signatures = List.copyOf(signatures);
    if (!new HashSet<>(references).equals(referenceNodes.keySet())) {
      throw new ValidationException("references", "reference nodes must cover exactly the references");
    }
    referenceNodes = Collections.unmodifiableSortedMap(new TreeMap<>(referenceNodes));
  }

  /** A path whose reference nodes are not resolved yet (all unknown). */
  public static PathInfo withUnresolvedReferences(StorePath storePath, Node node, long narSize, Hash narSha256, List<Signature> signatures,
                                                  Optional<StorePath> deriver, Optional<String> ca, List<StorePath> references) {
    SortedMap<StorePath, ReferenceNode> nodes = new TreeMap<>();
    references.forEach(r -> nodes.put(r, ReferenceNode.UNKNOWN));
    return new PathInfo(storePath, node, narSize, narSha256, signatures, deriver, ca, references, nodes);
  }

  public PathInfo withReferenceNodes(SortedMap<StorePath, ReferenceNode> nodes) {
    return new PathInfo(storePath, node, narSize, narSha256, signatures, deriver, ca, references, nodes);
  }

  public StorePathDigest digest() {
    return StorePathDigest.of(storePath);
  }

  /** The same path with other signatures (content unchanged). */
  public PathInfo withSignatures(List<Signature> sigs) {
    return new PathInfo(storePath, node, narSize, narSha256, sigs, deriver, ca, references, referenceNodes);
  }

  public PathInfo withDeriver(StorePath drv) {
    return new PathInfo(storePath, node, narSize, narSha256, signatures, Optional.of(drv), ca, references, referenceNodes);
  }

  /**
   * The fields, named as on the wire, in which {@code other} claims different content for the
   * same store path: everything a signature or a reader depends on (node, NAR size and hash,
   * references in order, CA, deriver) and a different signature under a key name both carry
   * (Ed25519 is deterministic: one key signs one fingerprint one way, so two signatures under
   * one name cannot both be that key's). Signatures under new key names are no difference.
   * Empty when {@code other} may be merged into this one.
   */
  public List<String> differencesFrom(PathInfo other) {
    List<String> out = new java.util.ArrayList<>();
    if (!storePath.equals(other.storePath)) {
      out.add("store_path");
    }
    if (!node.equals(other.node)) {
      out.add("node");
    }
    if (narSize != other.narSize) {
      out.add("narinfo.nar_size");
    }
    if (!narSha256.equals(other.narSha256)) {
      out.add("narinfo.nar_sha256");
    }
    if (!references.equals(other.references)) {
      out.add("references");
    }
    if (!ca.equals(other.ca)) {
      out.add("narinfo.ca");
    }
    if (!deriver.equals(other.deriver)) {
      out.add("narinfo.deriver");
    }
    for (Signature s : other.signatures) {
      if (signatures.stream().anyMatch(mine -> mine.keyName().equals(s.keyName()) && !mine.equals(s))) {
        out.add("narinfo.signatures");
        break;
      }
    }
    return out;
  }

  /** This path with the signatures of {@code other} under key names it does not carry yet, in arrival order. */
  public PathInfo mergeSignatures(PathInfo other) {
    List<Signature> merged = new java.util.ArrayList<>(signatures);
    for (Signature s : other.signatures) {
      if (merged.stream().noneMatch(mine -> mine.keyName().equals(s.keyName()))) {
        merged.add(s);
      }
    }
    return merged.size() == signatures.size() ? this : withSignatures(merged);
  }

  /** What Nix signs for this path (references in the order received). */
  public String fingerprint() {
    return NarInfo.fingerprint(storePath, narSha256, narSize, references);
  }
}
