package dev.cairn.attest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Diffs over a report's verdicts: between two builders (disagree / only a / only b / agree)
 * and between two report versions or two reports (added / removed / status changed). Each
 * section has its full count and one page ({@code limit}, {@code offset}) of paths; only the
 * page is rendered, so an 80,000-path diff costs a pass over the paths, not 80,000 objects.
 */
final class ReportDiff {
  private ReportDiff() {}

  private static <T> JsonObject section(List<T> all, int limit, int offset, Function<T, JsonObject> render) {
    JsonArray page = new JsonArray();
    for (int i = offset; i < Math.min(all.size(), (long) offset + limit); i++) {
      page.add(render.apply(all.get(i)));
    }
    return new JsonObject().put("count", all.size()).put("paths", page);
  }

  static JsonObject builders(List<PathStatus> paths, String a, String b, int limit, int offset) {
    List<PathStatus> agree = new ArrayList<>();
    List<PathStatus> disagree = new ArrayList<>();
    List<PathStatus> onlyA = new ArrayList<>();
    List<PathStatus> onlyB = new ArrayList<>();
    for (PathStatus p : paths) {
      Optional<Vote> va = p.voteOf(a);
      Optional<Vote> vb = p.voteOf(b);
      if (va.isPresent() && vb.isPresent()) {
        (va.get().hash().equals(vb.get().hash()) ? agree : disagree).add(p);
      } else if (va.isPresent()) {
        onlyA.add(p);
      } else if (vb.isPresent()) {
        onlyB.add(p);
      }
    }
    Function<PathStatus, JsonObject> render = p -> {
      JsonObject o = new JsonObject().put("path", p.path().fullPath());
      p.voteOf(a).ifPresent(v -> o.put("a", v.hash()));
      p.voteOf(b).ifPresent(v -> o.put("b", v.hash()));
      return o;
    };
    return new JsonObject().put("a", a).put("b", b)
        .put("disagree", section(disagree, limit, offset, render)).put("only_a", section(onlyA, limit, offset, render))
        .put("only_b", section(onlyB, limit, offset, render)).put("agree", section(agree, limit, offset, render));
  }

  private record Change(String path, Status from, Status to) {}

  /**
   * {@code leftCut}/{@code rightCut}: only votes cast up to then count, so that a superseded
   * version is compared as it stood when it was superseded.
   */
  static JsonObject versions(List<PathStatus> left, long leftCut, List<PathStatus> right, long rightCut, String fromLabel, String toLabel,
                             int limit, int offset) {
    Map<String, Status> lp = byPath(left, leftCut);
    Map<String, Status> rp = byPath(right, rightCut);
    List<Change> added = new ArrayList<>();
    List<Change> removed = new ArrayList<>();
    List<Change> changed = new ArrayList<>();
    rp.forEach((path, status) -> {
      Status old = lp.get(path);
      if (old == null) {
        added.add(new Change(path, null, status));
      } else if (old != status) {
        changed.add(new Change(path, old, status));
      }
    });
    lp.forEach((path, status) -> {
      if (!rp.containsKey(path)) {
        removed.add(new Change(path, status, null));
      }
    });
    return new JsonObject().put("from", fromLabel).put("to", toLabel)
        .put("added", section(added, limit, offset, c -> new JsonObject().put("path", c.path()).put("status", c.to().label())))
        .put("removed", section(removed, limit, offset, c -> new JsonObject().put("path", c.path()).put("status", c.from().label())))
        .put("status_changed", section(changed, limit, offset,
            c -> new JsonObject().put("path", c.path()).put("from", c.from().label()).put("to", c.to().label())));
  }

  private static Map<String, Status> byPath(List<PathStatus> paths, long cutoff) {
    Map<String, Status> out = new LinkedHashMap<>();
    for (PathStatus p : paths) {
      out.put(p.path().fullPath(), p.only(v -> v.createdAtMillis() <= cutoff).status());
    }
    return out;
  }
}
