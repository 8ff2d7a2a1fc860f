package dev.cairn.attest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Human renderings of a report: the plain-text tree and the HTML page. */
public final class ReportViews {
  private ReportViews() {}

  public record Summary(int total, Map<Status, Integer> counts) {
    public static Summary of(List<PathStatus> paths) {
      Map<Status, Integer> counts = new LinkedHashMap<>();
      for (Status s : Status.values()) {
        counts.put(s, 0);
      }
      for (PathStatus p : paths) {
        counts.merge(p.status(), 1, Integer::sum);
      }
      return new Summary(paths.size(), counts);
    }

    /** Several builders disagree. */
    public int notReproducible() {
      return counts.get(Status.PARTIALLY_REPRODUCED) + counts.get(Status.NONDETERMINISTIC);
    }

    /** Fewer than two builders: nothing to compare yet. */
    public int notFullyChecked() {
      return counts.get(Status.NO_BUILDS) + counts.get(Status.ONE_BUILD);
    }

    public String percent(int n) {
      return total == 0 ? "0.0%" : String.format("%.1f%%", 100.0 * n / total);
    }
  }

  private static String mark(Status s) {
    switch (s) {
      case REPRODUCED:
        return "✓";
      case PARTIALLY_REPRODUCED:
      case NONDETERMINISTIC:
        return "✗";
      case ONE_BUILD:
        return "·";
      default:
        return "?";
    }
  }

  /** Roots of the dependency forest: the SBOM's root, else every path nothing depends on. */
  private static List<String> roots(Optional<String> rootRef, Map<String, PathStatus> byRef, List<ReportDefinition.Edge> edges) {
    if (rootRef.isPresent() && (byRef.containsKey(rootRef.get()) || edges.stream().anyMatch(e -> e.parent().equals(rootRef.get())))) {
      return List.of(rootRef.get());
    }
    Set<String> children = new HashSet<>();
    edges.forEach(e -> children.add(e.child()));
    List<String> roots = new ArrayList<>();
    for (String ref : byRef.keySet()) {
      if (!children.contains(ref)) {
        roots.add(ref);
      }
    }
    return roots;
  }

  private static Map<String, List<String>> childrenOf(List<ReportDefinition.Edge> edges) {
    Map<String, List<String>> out = new HashMap<>();
    edges.forEach(e -> out.computeIfAbsent(e.parent(), k -> new ArrayList<>()).add(e.child()));
    return out;
  }

  public static String textTree(String name, Optional<String> rootRef, List<PathStatus> paths, List<ReportDefinition.Edge> edges) {
    Map<String, PathStatus> byRef = new LinkedHashMap<>();
    paths.forEach(p -> byRef.put(p.ref(), p));
    Map<String, List<String>> children = childrenOf(edges);
    StringBuilder b = new StringBuilder("Report ").append(name).append('\n');
    Summary s = Summary.of(paths);
    b.append(s.total()).append(" paths; not reproducible: ").append(s.notReproducible()).append(" (").append(s.percent(s.notReproducible()))
        .append("); not fully checked: ").append(s.notFullyChecked()).append(" (").append(s.percent(s.notFullyChecked())).append(")\n\n");
    Set<String> seen = new HashSet<>();
    for (String root : roots(rootRef, byRef, edges)) {
      textNode(b, root, byRef, children, "", seen);
    }
    return b.toString();
  }

  /**
   * Deeper trees are cut: rendering recurses, and an SBOM is outside input (a chain of
   * 80,000 paths must not overflow the stack). Real runtime closures are far shallower.
   */
  static final int MAX_DEPTH = 256;

  private static void textNode(StringBuilder b, String ref, Map<String, PathStatus> byRef, Map<String, List<String>> children, String indent,
                               Set<String> seen) {
    if (indent.length() / 2 >= MAX_DEPTH) {
      b.append(indent).append("… (deeper levels omitted)\n");
      return;
    }
    PathStatus p = byRef.get(ref);
    b.append(indent).append(p == null ? "?" : mark(p.status())).append(' ').append(p == null ? ref : p.path().fullPath())
        .append(p == null ? "" : " [" + p.status().label() + "]");
    if (!seen.add(ref)) {
      b.append(" (see above)\n");
      return;
    }
    b.append('\n');
    for (String child : children.getOrDefault(ref, List.of())) {
      textNode(b, child, byRef, children, indent + "  ", seen);
    }
  }

  public static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<': b.append("&lt;"); break;
        case '>': b.append("&gt;"); break;
        case '&': b.append("&amp;"); break;
        case '"': b.append("&quot;"); break;
        case '\'': b.append("&#39;"); break;
        default: b.append(c);
      }
    }
    return b.toString();
  }

  static final String STYLE = "body{font-family:sans-serif;margin:2em;max-width:80em}h1{font-size:1.6em}"
      + ".ok{color:#1a7f37}.bad{color:#cf222e}.unk{color:#6e7781}table{border-collapse:collapse}td,th{padding:.2em .8em;text-align:left}"
      + "details{margin-left:1.2em}summary{cursor:pointer;font-family:monospace}.path{font-family:monospace}";

  private static String cls(Status s) {
    return s == Status.REPRODUCED ? "ok" : s.disagreement() ? "bad" : "unk";
  }

  public static String html(String name, int version, Optional<String> rootRef, List<PathStatus> paths, List<ReportDefinition.Edge> edges,
                            List<LinkPattern> patterns, String apiPrefix) {
    Summary s = Summary.of(paths);
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Report ").append(escape(name)).append(" — Cairn</title><style>")
        .append(STYLE).append("</style></head><body>");
    b.append("<h1>Report ").append(escape(name)).append(" <small>(version ").append(version).append(")</small></h1>");
    b.append("<table><tr><th>paths</th><td id=\"total\">").append(s.total()).append("</td></tr>");
    b.append("<tr><th class=\"bad\">not reproducible</th><td id=\"not-reproducible\">").append(s.notReproducible()).append(" (")
        .append(s.percent(s.notReproducible())).append(")</td></tr>");
    b.append("<tr><th class=\"unk\">not fully checked</th><td id=\"not-checked\">").append(s.notFullyChecked()).append(" (")
        .append(s.percent(s.notFullyChecked())).append(")</td></tr>");
    for (Map.Entry<Status, Integer> e : s.counts().entrySet()) {
      b.append("<tr><td>").append(e.getKey().label()).append("</td><td>").append(e.getValue()).append("</td></tr>");
    }
    b.append("</table>");

    List<PathStatus> disagreeing = paths.stream().filter(p -> p.status().disagreement()).toList();
    b.append("<h2>Not reproducible</h2>");
    if (disagreeing.isEmpty()) {
      b.append("<p>None.</p>");
    } else {
      // null: no pattern matched ("other").
      Map<String, List<PathStatus>> grouped = new LinkedHashMap<>();
      List<LinkPattern.Compiled> compiled = LinkPattern.compileAll(patterns);
      for (PathStatus p : disagreeing) {
        String group = null;
        for (LinkPattern.Compiled lp : compiled) {
          if (lp.matches(p.path().name())) {
            group = lp.link();
            break;
          }
        }
        grouped.computeIfAbsent(group, k -> new ArrayList<>()).add(p);
      }
      for (Map.Entry<String, List<PathStatus>> g : grouped.entrySet()) {
        // A stored link from before links were validated is shown as text, never as a link.
        boolean linkable = g.getKey() != null && LinkPattern.isValidLink(g.getKey());
        b.append("<h3>").append(g.getKey() == null ? "other" : linkable ? "<a rel=\"nofollow noopener\" href=\"" + escape(g.getKey()) + "\">"
            + escape(g.getKey()) + "</a>" : escape(g.getKey())).append("</h3><ul>");
        for (PathStatus p : g.getValue()) {
          b.append("<li>").append(pathLink(p, apiPrefix)).append(" — ").append(p.status().label()).append("</li>");
        }
        b.append("</ul>");
      }
    }

    b.append("<h2>Dependency tree</h2>");
    Map<String, PathStatus> byRef = new LinkedHashMap<>();
    paths.forEach(p -> byRef.put(p.ref(), p));
    Map<String, List<String>> children = childrenOf(edges);
    Set<String> seen = new HashSet<>();
    for (String root : roots(rootRef, byRef, edges)) {
      htmlNode(b, root, byRef, children, seen, apiPrefix, true, 0);
    }
    b.append("</body></html>");
    return b.toString();
  }

  private static String pathLink(PathStatus p, String apiPrefix) {
    return "<a class=\"path\" href=\"" + apiPrefix + "/attestations/by-output/" + escape(p.path().baseName()) + "\">"
        + escape(p.path().fullPath()) + "</a>";
  }

  private static void htmlNode(StringBuilder b, String ref, Map<String, PathStatus> byRef, Map<String, List<String>> children, Set<String> seen,
                               String apiPrefix, boolean open, int depth) {
    if (depth >= MAX_DEPTH) {
      b.append("<div style=\"margin-left:1.2em\">… (deeper levels omitted)</div>");
      return;
    }
    PathStatus p = byRef.get(ref);
    String label = p == null ? "<span class=\"unk\">? " + escape(ref) + "</span>"
        : "<span class=\"" + cls(p.status()) + "\">" + mark(p.status()) + "</span> " + pathLink(p, apiPrefix) + " <small>" + p.status().label() + "</small>";
    List<String> kids = children.getOrDefault(ref, List.of());
    if (kids.isEmpty() || !seen.add(ref)) {
      b.append("<div style=\"margin-left:1.2em\">").append(label).append(kids.isEmpty() ? "" : " <small>(see above)</small>").append("</div>");
      return;
    }
    b.append("<details").append(open ? " open" : "").append("><summary>").append(label).append("</summary>");
    for (String child : kids) {
      htmlNode(b, child, byRef, children, seen, apiPrefix, false, depth + 1);
    }
    b.append("</details>");
  }

  public static String reportList(List<String> names) {
    StringBuilder b = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Reports — Cairn</title><style>")
        .append(STYLE).append("</style></head><body><h1>Reports</h1><ul>");
    for (String n : names) {
      b.append("<li><a href=\"/reports/").append(escape(java.net.URLEncoder.encode(n, java.nio.charset.StandardCharsets.UTF_8))).append("\">")
          .append(escape(n)).append("</a></li>");
    }
    return b.append("</ul></body></html>").toString();
  }
}
