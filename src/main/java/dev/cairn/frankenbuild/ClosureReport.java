package dev.cairn.frankenbuild;

import dev.cairn.nix.StorePath;
import java.util.List;

/**
 * The Frankenbuild check of one closure: how many paths' references were read, whether the walk
 * stopped at {@code cache.closure_check_max_paths} ({@code truncated}: paths beyond were not
 * read, so the answer is a lower bound), and the conflicting edges (cut at
 * {@link ClosureCheck#MAX_EDGES}, {@code moreConflicts} then).
 */
public record ClosureReport(StorePath path, int checkedPaths, boolean truncated, List<ConflictingEdge> conflicts, boolean moreConflicts) {
  public ClosureReport {
    conflicts = List.copyOf(conflicts);
  }

  public boolean conflicting() {
    return !conflicts.isEmpty();
  }
}
