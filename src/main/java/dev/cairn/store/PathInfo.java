package dev.cairn.store;

import dev.cairn.castore.Node;
import dev.cairn.castore.PathComponent;
import dev.cairn.castore.ValidationException;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.NarInfo;
import dev.cairn.nix.Signature;
import dev.cairn.nix.StorePath;
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

  /** What Nix signs for this path (references in the order received). */
  public String fingerprint() {
    return NarInfo.fingerprint(storePath, narSha256, narSize, references);
  }
}
