package dev.cairn.store;

import dev.cairn.db.Sql;
import dev.cairn.nix.StorePath;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** How many stored paths refer to each of some paths (reverse reference counts): a path's popularity. */
public final class PathPopularity {
  private static final int PAGE = 500;

  private final Sql db;

  PathPopularity(Sql db) {
    this.db = db;
  }

  /** Referrer counts by path; a path nothing refers to maps to 0. Self-references do not count. */
  public Future<Map<StorePath, Long>> referrers(List<StorePath> paths) {
    Map<StorePath, Long> out = new HashMap<>();
    paths.forEach(p -> out.put(p, 0L));
    Map<String, StorePath> byDigest = new HashMap<>();
    paths.forEach(p -> byDigest.put(java.util.HexFormat.of().formatHex(p.digest()), p));
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < paths.size(); from += PAGE) {
      List<StorePath> page = paths.subList(from, Math.min(paths.size(), from + PAGE));
      List<Object> params = new ArrayList<>();
      page.forEach(p -> params.add(p.digest()));
      String in = "(" + String.join(", ", Collections.nCopies(page.size(), "?")) + ")";
      chain = chain.compose(v -> db.query("SELECT reference_digest, COUNT(*) AS n FROM path_references WHERE reference_digest IN " + in
          + " AND referrer <> reference_digest GROUP BY reference_digest", params.toArray()).map(rows -> {
            rows.forEach(r -> {
              StorePath p = byDigest.get(java.util.HexFormat.of().formatHex(r.bytes("reference_digest")));
              if (p != null) {
                out.put(p, r.getLong("n"));
              }
            });
            return null;
          }));
    }
    return chain.map(v -> out);
  }
}
