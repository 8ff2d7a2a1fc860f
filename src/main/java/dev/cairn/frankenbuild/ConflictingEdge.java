package dev.cairn.frankenbuild;

import dev.cairn.castore.Node;
import dev.cairn.nix.StorePath;
import dev.cairn.store.ReferenceGraph;
import java.util.List;
import java.util.Optional;

/**
 * An edge {@code referrer → reference} of a closure whose reference content is disputed:
 * {@code builtAgainst} is the reference's node as recorded for the referrer (or, for a path not
 * stored yet, the node it would be recorded with), {@code held} what this store holds for the
 * reference now, {@code evidence} why either is doubtful (never empty; cut at
 * {@link ClosureCheck#MAX_EVIDENCE}, {@code moreEvidence} then).
 */
public record ConflictingEdge(StorePath referrer, StorePath reference, Optional<Node> builtAgainst, Optional<ReferenceGraph.Held> held,
                              List<Evidence> evidence, boolean moreEvidence) {
  public ConflictingEdge {
    evidence = List.copyOf(evidence);
  }
}
