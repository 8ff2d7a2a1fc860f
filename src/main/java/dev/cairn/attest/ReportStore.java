package dev.cairn.attest;

import dev.cairn.db.Database;
import dev.cairn.db.Row;
import dev.cairn.db.Sql;
import dev.cairn.users.User;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reports: versions (an SBOM's paths and edges, stored once and never changed) and the
 * statuses of a version's paths, made of the builders' latest votes.
 */
final class ReportStore {
  private static final int VERSION_CACHE_PATHS = 500_000;

  private final Database db;
  private final AttestSql sql;
  private final RowIds ids;
  private final Cpu cpu;
  private final InputLimits limits;
  private final Map<Long, List<ReportPath>> versionCache = new LinkedHashMap<>(16, 0.75f, true);
  private long cachedPaths;

  ReportStore(Database db, AttestSql sql, RowIds ids, Cpu cpu, InputLimits limits) {
    this.db = db;
    this.sql = sql;
    this.ids = ids;
    this.cpu = cpu;
    this.limits = limits;
  }

  /** One path of a report version, as stored when the version was defined. */
  record ReportPath(String ref, long outputId, OutputPath path, Optional<String> drvPath, Optional<String> output) {}

  Future<List<String>> reportNames() {
    // Jobsets' reports ("jobset/<uuid>", see JobsetService) are listed as jobsets, not as reports.
    return db.query("SELECT name FROM reports WHERE name NOT LIKE 'jobset/%' ORDER BY name")
        .map(rows -> rows.stream().map(r -> r.string("name")).toList());
  }

  /** Stores a new version of the report (the first if new), then runs {@code then} in the same transaction. */
  <T> Future<T> defineReport(String name, String sbom, ReportDefinition def, Optional<User> by, AttestationService.InSameTransaction<T> then) {
    long now = System.currentTimeMillis();
    // Output ids created in this transaction are cached only once it committed.
    Map<String, Long> pending = new HashMap<>();
    return db.<T>transaction(tx -> tx.update("INSERT INTO reports (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", name, now)
        // Takes the report's row lock on PostgreSQL (SQLite serialises writers anyway), so that
        // two concurrent PUTs of one name get versions n+1 and n+2 instead of a conflict.
        .compose(v -> tx.update("UPDATE reports SET created_at = created_at WHERE name = ?", name))
        .compose(v -> tx.queryOne("SELECT r.id, COALESCE(MAX(v.version), 0) AS latest FROM reports r LEFT JOIN report_versions v"
            + " ON v.report_id = r.id WHERE r.name = ? GROUP BY r.id", name))
        .compose(r -> {
          long reportId = r.orElseThrow().getLong("id");
          int version = (int) r.get().getLong("latest") + 1;
          if (version > limits.maxReportVersions()) {
            // Checked under the report's row lock, so concurrent PUTs cannot pass the cap together.
            return Future.failedFuture(new LimitExceededException(422, "versions: report " + name + " already has "
                + limits.maxReportVersions() + " versions (attest.max_report_versions)"));
          }
          return tx.query("INSERT INTO report_versions (report_id, version, sbom, root_ref, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)"
                  + " RETURNING id", reportId, version, sbom, def.rootRef().orElse(null), by.map(User::id).orElse(null), now)
              .compose(rows -> {
                long versionId = rows.get(0).getLong("id");
                return storePaths(tx, versionId, def, now, pending).compose(x -> then.apply(tx, versionId, version));
              });
        }))
        .onSuccess(v -> ids.publishOutputs(pending));
  }

  /**
   * A version's paths and edges. An SBOM may have a million components: the rows are built on
   * the worker pool, the event loop only passes the statements along.
   */
  private Future<Void> storePaths(Sql tx, long versionId, ReportDefinition def, long now, Map<String, Long> pending) {
    Set<String> paths = new LinkedHashSet<>();
    Map<String, String> placeholders = new TreeMap<>();
    return cpu.run(() -> {
      for (ReportDefinition.Component c : def.components()) {
        paths.add(c.outPath().fullPath());
        if (!c.outPath().isStorePath()) {
          placeholders.put(c.outPath().fullPath(), c.outPath().hashPart());
        }
      }
      return paths;
    }).compose(keys -> ids.outputsInTransaction(tx, keys, now, pending)).compose(outIds -> cpu.run(() -> {
      List<Object[]> pathRows = new ArrayList<>(def.components().size());
      for (ReportDefinition.Component c : def.components()) {
        pathRows.add(new Object[] {versionId, c.ref(), outIds.get(c.outPath().fullPath()), c.drvPath().orElse(null), c.output().orElse(null)});
      }
      List<Object[]> edgeRows = new ArrayList<>(def.edges().size());
      for (ReportDefinition.Edge e : def.edges()) {
        edgeRows.add(new Object[] {versionId, e.parent(), e.child()});
      }
      return List.of(pathRows, edgeRows);
    })).compose(rows -> RowIds.markPlaceholders(tx, placeholders).compose(v -> sql.insertReportRows(tx, rows.get(0), rows.get(1))));
  }

  private static final String VERSION_SELECT = "SELECT v.id, r.name, v.version, v.sbom, v.root_ref, v.created_at FROM reports r"
      + " JOIN report_versions v ON v.report_id = r.id";

  private static AttestationService.ReportVersion version(Row row) {
    return new AttestationService.ReportVersion(row.getLong("id"), row.string("name"), (int) row.getLong("version"), row.string("sbom"),
        Optional.ofNullable(row.string("root_ref")), row.getLong("created_at"));
  }

  /** The given version of a report, or its latest when {@code version} is empty. */
  Future<Optional<AttestationService.ReportVersion>> report(String name, Optional<Integer> version) {
    String where = " WHERE r.name = ? " + (version.isPresent() ? "AND v.version = ?" : "ORDER BY v.version DESC LIMIT 1");
    Object[] params = version.isPresent() ? new Object[] {name, version.get()} : new Object[] {name};
    return db.queryOne(VERSION_SELECT + where, params).map(r -> r.map(ReportStore::version));
  }

  /** A report version by its id. */
  Future<Optional<AttestationService.ReportVersion>> reportVersion(long versionId) {
    return db.queryOne(VERSION_SELECT + " WHERE v.id = ?", versionId).map(r -> r.map(ReportStore::version));
  }

  /** When this version was superseded by the next one; {@code Long.MAX_VALUE} for the latest. */
  Future<Long> endOf(AttestationService.ReportVersion v) {
    return report(v.name(), Optional.of(v.version() + 1)).map(next -> next.map(AttestationService.ReportVersion::createdAt).orElse(Long.MAX_VALUE));
  }

  Future<List<ReportDefinition.Edge>> edges(long versionId) {
    return db.query("SELECT parent_ref, child_ref FROM report_edges WHERE version_id = ?", versionId)
        .map(rows -> rows.stream().map(r -> new ReportDefinition.Edge(r.string("parent_ref"), r.string("child_ref"))).toList());
  }

  /**
   * Every path of a report version with its builders' latest votes. Set-based: one query for
   * the version's paths (cached, see {@link #versionPaths}), one for the attestations of those
   * paths (by the indexed output id), the electorate (user names, keys); grouped in memory on
   * the worker pool. No per-path queries, no sort of the attestations in SQL: the latest vote
   * of a builder is the one with the highest id.
   */
  Future<List<PathStatus>> statuses(long versionId, boolean includeRevoked) {
    Future<List<ReportPath>> paths = versionPaths(versionId);
    Future<List<Row>> votes = db.query("SELECT a.id, a.output_id, a.user_id, a.output_hash, a.sig_status, a.created_at, " + LatestVotes.VERIFIED_SIG
        + " FROM report_paths rp JOIN attestations a ON a.output_id = rp.output_id WHERE rp.version_id = ?", versionId);
    Future<Electorate> electorate = Electorate.load(db);
    return Future.all(paths, votes, electorate)
        .compose(all -> cpu.run(() -> group(paths.result(), votes.result(), electorate.result(), includeRevoked)));
  }

  /**
   * The paths of a report version, in ref order. A version never changes once its
   * transaction commits, so this is cached (bounded by the number of paths held), on every
   * replica alike: only the attestations are read per request.
   */
  Future<List<ReportPath>> versionPaths(long versionId) {
    synchronized (versionCache) {
      List<ReportPath> cached = versionCache.get(versionId);
      if (cached != null) {
        return Future.succeededFuture(cached);
      }
    }
    return db.query("SELECT rp.ref, rp.output_id, o.path, rp.drv_path, rp.output FROM report_paths rp"
            + " JOIN outputs o ON o.id = rp.output_id WHERE rp.version_id = ? ORDER BY rp.ref", versionId)
        .compose(rows -> cpu.run(() -> {
          List<ReportPath> out = new ArrayList<>(rows.size());
          for (Row r : rows) {
            out.add(new ReportPath(r.string("ref"), r.getLong("output_id"), OutputPath.ofStored(r.string("path")),
                Optional.ofNullable(r.string("drv_path")), Optional.ofNullable(r.string("output"))));
          }
          List<ReportPath> frozen = Collections.unmodifiableList(out);
          synchronized (versionCache) {
            versionCache.put(versionId, frozen);
            cachedPaths += frozen.size();
            var it = versionCache.entrySet().iterator();
            while (cachedPaths > VERSION_CACHE_PATHS && versionCache.size() > 1 && it.hasNext()) {
              cachedPaths -= it.next().getValue().size();
              it.remove();
            }
          }
          return frozen;
        }));
  }

  private static List<PathStatus> group(List<ReportPath> paths, List<Row> voteRows, Electorate electorate, boolean includeRevoked) {
    LatestVotes<Long> latest = new LatestVotes<>(electorate, includeRevoked, paths.size());
    for (Row r : voteRows) {
      latest.add(r.getLong("output_id"), r);
    }
    List<PathStatus> out = new ArrayList<>(paths.size());
    for (ReportPath p : paths) {
      out.add(new PathStatus(p.ref(), p.path(), p.drvPath(), p.output(), latest.tally(p.outputId())));
    }
    return out;
  }
}
