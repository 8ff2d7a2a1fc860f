package dev.cairn.attest;

import static dev.cairn.attest.ReportViews.escape;

import java.util.List;
import java.util.Map;

/**
 * HTML pages for a person: the jobsets, one jobset's history (a stacked bar per evaluation:
 * reproducible, not reproducible, unchecked), and one output's hash clusters (which builders
 * agree). One evaluation's tree is {@link ReportViews#html} of its report version.
 */
final class JobsetViews {
  static final String OK = "#1a7f37";
  static final String BAD = "#cf222e";
  static final String UNCHECKED = "#afb8c1";

  private JobsetViews() {}

  private static StringBuilder page(String title) {
    return new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").append(escape(title)).append(" — Cairn</title><style>")
        .append(ReportViews.STYLE).append("</style></head><body><h1>").append(escape(title)).append("</h1>");
  }

  /** Each jobset with its latest evaluation's counts. */
  static String jobsets(List<JobsetService.Jobset> jobsets, Map<Long, ReportViews.Summary> latest) {
    StringBuilder b = page("Jobsets");
    if (jobsets.isEmpty()) {
      return b.append("<p>No jobsets yet.</p></body></html>").toString();
    }
    b.append("<table id=\"jobsets\"><tr><th>jobset</th><th>enabled</th><th>outputs</th><th class=\"ok\">reproducible</th>"
        + "<th class=\"bad\">not reproducible</th><th class=\"unk\">unchecked</th></tr>");
    for (JobsetService.Jobset j : jobsets) {
      ReportViews.Summary s = latest.get(j.id());
      b.append("<tr><td><a href=\"/jobsets/").append(j.id()).append("\">").append(escape(j.name())).append("</a></td><td>")
          .append(j.enabled() ? "yes" : "no").append("</td>");
      if (s == null) {
        b.append("<td colspan=\"4\">no evaluation yet</td>");
      } else {
        b.append("<td>").append(s.total()).append("</td><td>").append(s.counts().get(Status.REPRODUCED)).append("</td><td>")
            .append(s.notReproducible()).append("</td><td>").append(s.notFullyChecked()).append("</td>");
      }
      b.append("</tr>");
    }
    return b.append("</table></body></html>").toString();
  }

  record Point(JobsetService.Evaluation evaluation, ReportViews.Summary summary) {}

  static final int BAR = 40;
  static final int GAP = 16;
  static final int HEIGHT = 240;

  /** A stacked bar per evaluation (oldest left), scaled to its own number of outputs, and the same counts as a table. */
  static String history(JobsetService.Jobset jobset, List<Point> points) {
    StringBuilder b = page("Jobset " + jobset.name());
    jobset.description().ifPresent(d -> b.append("<p>").append(escape(d)).append("</p>"));
    if (points.isEmpty()) {
      return b.append("<p>No evaluation yet.</p></body></html>").toString();
    }
    int width = points.size() * (BAR + GAP) + GAP;
    b.append("<svg id=\"history\" width=\"").append(width).append("\" height=\"").append(HEIGHT + 20).append("\" role=\"img\">");
    for (int i = 0; i < points.size(); i++) {
      ReportViews.Summary s = points.get(i).summary();
      int x = GAP + i * (BAR + GAP);
      int y = HEIGHT;
      int[] values = {s.counts().get(Status.REPRODUCED), s.notReproducible(), s.notFullyChecked()};
      String[] colors = {OK, BAD, UNCHECKED};
      for (int k = 0; k < 3; k++) {
        int h = s.total() == 0 ? 0 : Math.round((float) HEIGHT * values[k] / s.total());
        y -= h;
        b.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(BAR).append("\" height=\"").append(h)
            .append("\" fill=\"").append(colors[k]).append("\"/>");
      }
      b.append("<text x=\"").append(x).append("\" y=\"").append(HEIGHT + 15).append("\" font-size=\"11\">")
          .append(escape(shortRevision(points.get(i).evaluation().gitRevision()))).append("</text>");
    }
    b.append("</svg><table id=\"evaluations\"><tr><th>evaluation</th><th>revision</th><th>outputs</th><th class=\"ok\">reproducible</th>"
        + "<th class=\"bad\">not reproducible</th><th class=\"unk\">unchecked</th></tr>");
    for (Point p : points) {
      ReportViews.Summary s = p.summary();
      b.append("<tr><td><a href=\"/evaluations/").append(p.evaluation().id()).append("\">").append(p.evaluation().id()).append("</a></td><td>")
          .append(escape(p.evaluation().gitRevision())).append("</td><td>").append(s.total()).append("</td><td>")
          .append(s.counts().get(Status.REPRODUCED)).append("</td><td>").append(s.notReproducible()).append("</td><td>")
          .append(s.notFullyChecked()).append("</td></tr>");
    }
    return b.append("</table></body></html>").toString();
  }

  private static String shortRevision(String rev) {
    return rev.length() > 7 ? rev.substring(0, 7) : rev;
  }

  /** One output: its status and, per hash, the builders that agree on it and when they voted. */
  static String output(PathStatus p) {
    StringBuilder b = page(p.path().fullPath());
    b.append("<p id=\"status\">").append(p.status().label()).append("</p>");
    if (!p.path().isStorePath()) {
      b.append("<p>Not a store path (a lila placeholder).</p>");
    }
    b.append("<table id=\"clusters\"><tr><th>hash</th><th>builders</th></tr>");
    for (Map.Entry<String, List<Vote>> c : p.clusters().entrySet()) {
      b.append("<tr><td class=\"path\">").append(escape(c.getKey())).append("</td><td>");
      for (Vote v : c.getValue()) {
        b.append(escape(v.builder())).append(v.sigStatus() == SigStatus.VERIFIED ? " (signed)" : "").append(" <small>")
            .append(JobsetRoutes.iso(v.createdAtMillis())).append("</small><br>");
      }
      b.append("</td></tr>");
    }
    return b.append("</table></body></html>").toString();
  }
}
