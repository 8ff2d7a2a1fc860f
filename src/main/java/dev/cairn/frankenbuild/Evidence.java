package dev.cairn.frankenbuild;

import dev.cairn.attest.Vote;
import dev.cairn.castore.Node;
import dev.cairn.store.PathInfoConflicts;

/**
 * One reason to doubt the content a referrer was built against. {@code source} in the JSON:
 * {@code store} (this store's own record changed under the referrer), {@code upload} or
 * {@code upstream} (a claim of other content, {@link PathInfoConflicts}), {@code attestation}
 * (a builder's vote on the reference's output hash).
 */
public sealed interface Evidence {
  /** The reference's node recorded when the referrer was stored is not the node held for it now. */
  record ContentChanged(Node recorded, Node held) implements Evidence {}

  /** Another content was offered for the reference (an upload refused, or an upstream's narinfo). */
  record Claimed(PathInfoConflicts.Claim claim) implements Evidence {}

  /** A builder's latest vote, when the votes disagree with each other or with the NAR hash held. */
  record Attested(Vote vote) implements Evidence {}
}
