package dev.cairn.attest;

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

  /**
   * From one vote per builder (each builder's latest vote; a builder is one vote however often it
   * reported): the one reading of a path's status, for reports and the rebuild queue. No copies,
   * as a report has one list per path.
   */
  public static Status of(List<Vote> votes) {
    int n = votes.size();
    if (n == 0) {
      return NO_BUILDS;
    }
    if (n == 1) {
      return ONE_BUILD;
    }
    int distinct = 0;
    for (int i = 0; i < n; i++) {
      String h = votes.get(i).hash();
      boolean seen = false;
      for (int j = 0; j < i && !seen; j++) {
        seen = votes.get(j).hash().equals(h);
      }
      distinct += seen ? 0 : 1;
    }
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
