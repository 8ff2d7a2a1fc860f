package dev.cairn.attest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Frankenbuild exposure of a report: the paths whose dependency closure (per the SBOM's
 * edges) holds a path builders disagree on. A path built against one builder's bytes of a
 * disagreeing dependency may differ from the "same" path built against another's.
 *
 * <p>Work is bounded on real closures, where a handful of paths (glibc, bash) sit under
 * nearly everything: exposure is one multi-source walk up the reverse edges (O(paths +
 * edges)), and each exposed path names at most {@link #EXAMPLES} of its disagreeing
 * dependencies, so a path's set changes at most that many times.
 */
final class Frankenbuilds {
  static final int EXAMPLES = 10;

  /** An exposed path and some of the disagreeing paths below it; {@code more}: the list was cut at {@link #EXAMPLES}. */
  record Exposure(String ref, PathStatus path, Set<String> culprits, boolean more) {}

  private Frankenbuilds() {}

  static List<Exposure> of(List<PathStatus> paths, List<ReportDefinition.Edge> edges) {
    Map<String, PathStatus> byRef = new HashMap<>();
    paths.forEach(p -> byRef.put(p.ref(), p));
    Map<String, List<String>> parents = new HashMap<>();
    edges.forEach(e -> parents.computeIfAbsent(e.child(), k -> new ArrayList<>()).add(e.parent()));

    // reach: disagreeing paths at or below a node (capped); below: those strictly below it.
    Map<String, Set<String>> reach = new HashMap<>();
    Map<String, Set<String>> below = new LinkedHashMap<>();
    ArrayDeque<String> queue = new ArrayDeque<>();
    for (PathStatus p : paths) {
      // lila's placeholders are no store paths: neither a culprit nor exposed (issue 13).
      if (p.path().isStorePath() && p.status().disagreement()) {
        reach.computeIfAbsent(p.ref(), k -> new LinkedHashSet<>()).add(p.path().fullPath());
        queue.add(p.ref());
      }
    }
    // Each node is queued again only when its capped reach set grows: at most EXAMPLES + 1 times.
    while (!queue.isEmpty()) {
      String ref = queue.poll();
      Set<String> up = reach.get(ref);
      for (String parent : parents.getOrDefault(ref, List.of())) {
        boolean first = !below.containsKey(parent);
        addCapped(below.computeIfAbsent(parent, k -> new LinkedHashSet<>()), up);
        boolean grew = addCapped(reach.computeIfAbsent(parent, k -> new LinkedHashSet<>()), up);
        if (first || grew) {
          queue.add(parent);
        }
      }
    }
    List<Exposure> out = new ArrayList<>(below.size());
    below.forEach((ref, culprits) -> {
      PathStatus p = byRef.get(ref);
      if (p == null || p.path().isStorePath()) {
        out.add(new Exposure(ref, p, culprits, culprits.size() >= EXAMPLES));
      }
    });
    return out;
  }

  private static boolean addCapped(Set<String> into, Set<String> from) {
    boolean grew = false;
    for (String s : from) {
      if (into.size() >= EXAMPLES) {
        break;
      }
      grew |= into.add(s);
    }
    return grew;
  }
}
