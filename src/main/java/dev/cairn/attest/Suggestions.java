package dev.cairn.attest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What a rebuilder should build next from a report: unbuilt paths first, then once-built
 * ones, then paths whose builders disagree (a third opinion settles them); never a path the
 * caller has already attested, and never one that is already reproduced.
 */
final class Suggestions {
  /** lila answers at most 50. */
  static final int LIMIT = 50;

  private Suggestions() {}

  static List<PathStatus> pick(List<PathStatus> paths, Optional<Long> callerId) {
    List<PathStatus> candidates = new ArrayList<>();
    for (PathStatus p : paths) {
      boolean mine = callerId.isPresent() && p.votes().stream().anyMatch(v -> v.userId() == callerId.get());
      if (!mine && p.status() != Status.REPRODUCED) {
        candidates.add(p);
      }
    }
    candidates.sort(Comparator.comparingInt((PathStatus p) -> p.votes().size()).thenComparing(p -> p.path().fullPath()));
    return candidates.subList(0, Math.min(LIMIT, candidates.size()));
  }
}
