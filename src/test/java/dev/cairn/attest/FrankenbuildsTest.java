package dev.cairn.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.nix.StorePath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Frankenbuild exposure and tree rendering over SBOM graphs, without a server. */
class FrankenbuildsTest {
  private static PathStatus path(int i, String... hashes) {
    List<Vote> votes = new ArrayList<>();
    for (int b = 0; b < hashes.length; b++) {
      votes.add(new Vote(b, "builder" + b, hashes[b], SigStatus.UNVERIFIED, 0));
    }
    return new PathStatus("p" + i, OutputPath.of(StorePath.parseBaseName(ReportScaleTest.hashPart(i, 5) + "-p" + i)), Optional.empty(), Optional.empty(), votes);
  }

  private static Map<String, Frankenbuilds.Exposure> byRef(List<Frankenbuilds.Exposure> list) {
    Map<String, Frankenbuilds.Exposure> out = new HashMap<>();
    list.forEach(x -> out.put(x.ref(), x));
    return out;
  }

  @Test
  void exposesEveryAncestorOfADisagreeingPathThroughADiamondOnce() {
    // p0 -> p1, p0 -> p2, p1 -> p3, p2 -> p3; p3 disagrees; p4 stands alone.
    List<PathStatus> paths = List.of(path(0, "a", "a"), path(1, "a"), path(2), path(3, "a", "b"), path(4, "a", "b"));
    List<ReportDefinition.Edge> edges = List.of(new ReportDefinition.Edge("p0", "p1"), new ReportDefinition.Edge("p0", "p2"),
        new ReportDefinition.Edge("p1", "p3"), new ReportDefinition.Edge("p2", "p3"));
    Map<String, Frankenbuilds.Exposure> x = byRef(Frankenbuilds.of(paths, edges));
    assertEquals(java.util.Set.of("p0", "p1", "p2"), x.keySet(), "a disagreeing path is not exposed to itself");
    assertEquals(List.of(paths.get(3).path().fullPath()), new ArrayList<>(x.get("p0").culprits()));
    assertFalse(x.get("p0").more());
  }

  @Test
  void aHubUnderEverythingStaysLinearAndNamesAtMostTenCulprits() {
    // 80,000 paths; every one depends on the hub p1; every tenth disagrees; a binary tree p0 -> p2, p3; p2 -> p4, p5; ...
    int n = 80_000;
    List<PathStatus> paths = new ArrayList<>();
    List<ReportDefinition.Edge> edges = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      paths.add(i % 10 == 0 ? path(i, "a", "b") : path(i, "a", "a"));
      if (i > 1) {
        edges.add(new ReportDefinition.Edge("p" + i, "p1"));
        edges.add(new ReportDefinition.Edge("p" + (i < 4 ? 0 : i / 2), "p" + i));
      }
    }
    long start = System.nanoTime();
    Map<String, Frankenbuilds.Exposure> x = byRef(Frankenbuilds.of(paths, edges));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(ms < 5_000, "took " + ms + " ms");
    assertTrue(x.get("p0").culprits().size() <= Frankenbuilds.EXAMPLES);
    assertTrue(x.get("p0").more());
    assertFalse(x.containsKey("p1"), "the hub depends on nothing");
  }

  @Test
  void aChainDeeperThanTheRenderLimitIsCutNotOverflowed() {
    int n = 50_000;
    List<PathStatus> paths = new ArrayList<>();
    List<ReportDefinition.Edge> edges = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      paths.add(path(i, "a"));
      if (i > 0) {
        edges.add(new ReportDefinition.Edge("p" + (i - 1), "p" + i));
      }
    }
    String text = ReportViews.textTree("chain", Optional.of("p0"), paths, edges);
    assertTrue(text.contains("(deeper levels omitted)"));
    String html = ReportViews.html("chain", 1, Optional.of("p0"), paths, edges, List.of(), "");
    assertTrue(html.contains("(deeper levels omitted)"));
  }
}
