package dev.cairn.attest;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;

/** The reproducibility status of one output path, from its builders' votes (WIRE.md §4). */
public enum Status {
  NO_BUILDS("No builds"),
  ONE_BUILD("One build"),
  REPRODUCED("Successfully reproduced"),
  PARTIALLY_REPRODUCED("Partially reproduced"),
  NONDETERMINISTIC("Consistently nondeterministic");

  private final String label;

  Status(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** From builders' latest votes (one per builder): the one reading of a path's status, for reports and the rebuild queue. */
  public static Status ofVotes(List<Vote> votes) {
    return of(votes.stream().map(Vote::hash).toList());
  }

  /** From one hash per builder (a builder is one vote however often it reported). */
  public static Status of(Collection<String> votes) {
    int n = votes.size();
    if (n == 0) {
      return NO_BUILDS;
    }
    if (n == 1) {
      return ONE_BUILD;
    }
    int distinct = new HashSet<>(votes).size();
    if (distinct == 1) {
      return REPRODUCED;
    }
    return distinct == n ? NONDETERMINISTIC : PARTIALLY_REPRODUCED;
  }

  /** Several builders and not all agreeing. */
  public boolean disagreement() {
    return this == PARTIALLY_REPRODUCED || this == NONDETERMINISTIC;
  }
}
