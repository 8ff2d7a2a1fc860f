package dev.cairn.attest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** One output path of a report with its builders' votes. */
public record PathStatus(String ref, OutputPath path, Optional<String> drvPath, Optional<String> output, List<Vote> votes, Status status) {

  /**
   * The status is computed once, here: a report's JSON asks for it two or three times per
   * path (counts, the entry, a policy), and 80,000 paths made it a tenth of the render.
   */
  public PathStatus(String ref, OutputPath path, Optional<String> drvPath, Optional<String> output, List<Vote> votes) {
    this(ref, path, drvPath, output, votes, Status.of(votes));
  }

  /** The same path seeing only the votes that pass {@code filter}. */
  public PathStatus only(Predicate<Vote> filter) {
    return new PathStatus(ref, path, drvPath, output, votes.stream().filter(filter).toList());
  }

  /** Hash → the votes for it, the largest cluster first. */
  public Map<String, List<Vote>> clusters() {
    Map<String, List<Vote>> byHash = new LinkedHashMap<>();
    for (Vote v : votes) {
      byHash.computeIfAbsent(v.hash(), h -> new ArrayList<>()).add(v);
    }
    List<Map.Entry<String, List<Vote>>> entries = new ArrayList<>(byHash.entrySet());
    entries.sort((a, b) -> b.getValue().size() - a.getValue().size());
    Map<String, List<Vote>> sorted = new LinkedHashMap<>();
    entries.forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }

  public Optional<Vote> voteOf(String builder) {
    return votes.stream().filter(v -> v.builder().equals(builder)).findFirst();
  }
}
