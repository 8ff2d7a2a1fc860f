package dev.cairn.attest;

import dev.cairn.db.Database;
import dev.cairn.db.Dialect;
import dev.cairn.db.Row;
import dev.cairn.db.Sql;
import dev.cairn.nix.NarInfo;
import dev.cairn.nix.PublicKey;
import dev.cairn.nix.Signature;
import dev.cairn.nix.StorePath;
import dev.cairn.server.http.ClientError;
import dev.cairn.users.User;
import dev.cairn.validation.ValidationException;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Attestations, derivations, reports and link patterns on the metadata database. Ids of
 * derivations and outputs never change once created, so they are cached: a lila-shaped
 * POST whose derivation and outputs are known costs one transaction with one batch insert.
 */
public final class AttestationService {
  private final Database db;
  private final WorkerExecutor workers;
  private static final int VERSION_CACHE_PATHS = 500_000;
  private final Map<Long, List<ReportPath>> versionCache = new LinkedHashMap<>(16, 0.75f, true);
  private long cachedPaths;
  private final RowIds ids;

  private final GroupCommit<Prepared> groupCommit;
  private final StagedBatch staged;
  private final InputLimits limits;

  /** For admin commands: CPU-bound grouping runs on the caller's thread. */
  public AttestationService(Database db) {
    this(db, null, InputLimits.defaults());
  }

  /** {@code workers} runs CPU-bound grouping of large reports off the event loop. */
  public AttestationService(Database db, WorkerExecutor workers, InputLimits limits) {
    this.db = db;
    this.workers = workers;
    this.limits = limits;
    this.ids = new RowIds(db);
    // Two writes in flight keep PostgreSQL's pool busy; SQLite serialises them anyway.
    this.groupCommit = new GroupCommit<>(this::write, Prepared::rowCount, Math.max(5_000, limits.batchTransactionRows()), 2);
    this.staged = new StagedBatch(db, limits.batchTransactionRows());
  }

  /** A signature that does not verify under any of the builder's keys. */
  public static final class InvalidSignatureException extends ValidationException implements ClientError {
    public InvalidSignatureException(String rule) {
      super("output_sig", rule, "output_sig " + rule, null);
    }

    @Override
    public int httpStatus() {
      return 400;
    }
  }

  /** One derivation's outputs, as one entry of a batch. */
  public record Entry(DrvIdent drv, List<OutputAttestation> outputs) {}

  /**
   * lila's {@code POST /attestation/{drv}}: like a batch of one entry, except that a repeated
   * report adds to the row's {@code reports} count (lila's {@code GET /derivations/{drv}} counts
   * every POST); verdicts still count the builder once.
   */
  public Future<Void> ingest(User user, DrvIdent drv, List<OutputAttestation> outputs) {
    return ingest(user, List.of(new Entry(drv, outputs)), true).mapEmpty();
  }

  /**
   * All entries or none; posting the same entries again changes nothing. Returns the number of
   * outputs taken. Derivation and output rows are idempotent upserts; the attestations go in as
   * multi-row INSERTs (one statement per {@value #ROWS_PER_INSERT} rows, in one transaction when
   * there are several), so a lila-shaped POST costs three statements after authentication.
   */
  public Future<Integer> ingestBatch(User user, List<Entry> entries) {
    return ingest(user, entries, false);
  }

  private Future<Integer> ingest(User user, List<Entry> entries, boolean counted) {
    boolean needKeys = entries.stream().flatMap(e -> e.outputs().stream()).anyMatch(AttestationService::checkable);
    Future<List<SigStatus>> checked = needKeys
        // Ed25519 verification of a large batch is CPU work: off the event loop.
        ? KeyRegistry.keysOf(db, user.id()).compose(keys -> cpu(() -> verifyAll(user, entries, keys)))
        : Future.succeededFuture(verifyAll(user, entries, List.of()));
    return checked.compose(statuses -> {
      if (statuses.size() > limits.batchTransactionRows()) {
        // Too large for one short transaction: written in parts, published at once (StagedBatch).
        return staged.write(user.id(), entries, statuses).map(v -> statuses.size());
      }
      Prepared prepared = new Prepared(user, entries, statuses, counted);
      return groupCommit.submit(prepared).map(v -> prepared.rowCount());
    });
  }

  private static List<SigStatus> verifyAll(User user, List<Entry> entries, List<PublicKey> keys) {
    List<SigStatus> statuses = new ArrayList<>();
    for (Entry e : entries) {
      for (OutputAttestation o : e.outputs()) {
        statuses.add(verify(user, o, keys));
      }
    }
    return statuses;
  }

  private static String refsText(OutputAttestation o) {
    return o.references().map(r -> r.stream().map(StorePath::fullPath).collect(Collectors.joining(" "))).orElse(null);
  }

  /**
   * PostgreSQL: rows travel as parallel arrays through {@code unnest}, so a batch of any size is
   * one statement. When every derivation and output id is cached (the steady state of a
   * farm: outputs are named by a report or a previous build first) a write is that one
   * statement and one round trip, atomic without an explicit transaction.
   */
  private static final String PG_INSERT_ATTESTATIONS = "INSERT INTO attestations (user_id, drv_id, output_id, output_hash, output_sig,"
      + " nar_size, refs, sig_status, reports, created_at)"
      + " SELECT u, d, o, h, s, n, r, st, c, ?::int8"
      + " FROM unnest(?::int8[], ?::int8[], ?::int8[], ?::text[], ?::text[], ?::int8[], ?::text[], ?::text[], ?::int8[])"
      + " AS t(u, d, o, h, s, n, r, st, c)";

  /** Batches are idempotent; lila's POST counts a repeated report (see {@link #ingest(User, DrvIdent, List)}). */
  private static String onConflict(boolean counted) {
    return counted ? " ON CONFLICT (user_id, output_id, output_hash) DO UPDATE SET reports = attestations.reports + excluded.reports"
        : " ON CONFLICT (user_id, output_id, output_hash) DO NOTHING";
  }

  private Future<Void> writePg(List<Prepared> batch, long now) {
    Set<String> drvKeys = new java.util.TreeSet<>();
    Set<String> pathKeys = new java.util.TreeSet<>();
    for (Prepared p : batch) {
      for (Entry e : p.entries()) {
        drvKeys.add(e.drv().value());
        e.outputs().forEach(o -> pathKeys.add(o.path().fullPath()));
      }
    }
    // Independent autocommit statements on two tables: run side by side on two connections.
    Future<Map<String, Long>> drvIdsF = ids.derivations(db, drvKeys, now);
    Future<Map<String, Long>> outIdsF = ids.outputs(db, pathKeys, now);
    return Future.all(drvIdsF, outIdsF)
        .compose(both -> {
          Rows rows = rows(batch, drvIdsF.result(), outIdsF.result());
          if (rows.counted().isEmpty() && rows.placeholders().isEmpty()) {
            return insertPg(db, rows.plain(), false, now);
          }
          return db.transaction(tx -> RowIds.markPlaceholders(tx, rows.placeholders())
              .compose(v -> insertPg(tx, rows.plain(), false, now))
              .compose(v -> insertPg(tx, rows.counted(), true, now)));
        });
  }

  private static Future<Void> insertPg(Sql sql, List<Object[]> rows, boolean counted, long now) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    int n = rows.size();
    Object[] cols = {new Long[n], new Long[n], new Long[n], new String[n], new String[n], new Long[n], new String[n], new String[n], new Long[n]};
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < cols.length; c++) {
        ((Object[]) cols[c])[i] = rows.get(i)[c];
      }
    }
    Object[] params = new Object[cols.length + 1];
    params[0] = now;
    System.arraycopy(cols, 0, params, 1, cols.length);
    return sql.update(PG_INSERT_ATTESTATIONS + onConflict(counted), params).mapEmpty();
  }

  /**
   * The attestation rows of a group, {user, drv, output, hash, sig, nar_size, refs, sig_status,
   * reports}: batches' rows as they come (a repeat is a no-op); lila POSTs' rows merged by
   * (user, output, hash) with their counts summed, since one upsert statement may not touch a
   * row twice; and the placeholder outputs among them, to be marked as such.
   */
  private record Rows(List<Object[]> plain, List<Object[]> counted, Map<String, String> placeholders) {}

  private static Rows rows(List<Prepared> batch, Map<String, Long> drvIds, Map<String, Long> outIds) {
    List<Object[]> plain = new ArrayList<>();
    Map<String, Object[]> counted = new java.util.TreeMap<>();
    Map<String, String> placeholders = new java.util.TreeMap<>();
    for (Prepared p : batch) {
      int j = 0;
      for (Entry e : p.entries()) {
        for (OutputAttestation o : e.outputs()) {
          Object[] row = {p.user().id(), drvIds.get(e.drv().value()), outIds.get(o.path().fullPath()), o.hash().text(), o.signatureText(),
              o.narSize().orElse(null), refsText(o), p.statuses().get(j++).dbValue(), 1L};
          if (!o.path().isStorePath()) {
            placeholders.put(o.path().fullPath(), o.path().hashPart());
          }
          if (!p.counted()) {
            plain.add(row);
            continue;
          }
          Object[] held = counted.putIfAbsent(row[0] + " " + row[2] + " " + row[3], row);
          if (held != null) {
            held[8] = (Long) held[8] + 1;
          }
        }
      }
    }
    return new Rows(plain, new ArrayList<>(counted.values()), placeholders);
  }

  /** A request's attestations, checked and ready to write. */
  private record Prepared(User user, List<Entry> entries, List<SigStatus> statuses, boolean counted) {
    int rowCount() {
      return statuses.size();
    }
  }

  /** Writes the attestations of several requests together: their rows commit together or not at all. */
  private Future<Void> write(List<Prepared> batch) {
    long now = System.currentTimeMillis();
    if (db.dialect() == Dialect.POSTGRESQL) {
      return writePg(batch, now);
    }
    Set<String> drvs = new LinkedHashSet<>();
    Set<String> paths = new LinkedHashSet<>();
    for (Prepared p : batch) {
      for (Entry e : p.entries()) {
        drvs.add(e.drv().value());
        e.outputs().forEach(o -> paths.add(o.path().fullPath()));
      }
    }
    return ids.derivations(db, drvs, now)
        .compose(drvIds -> ids.outputs(db, paths, now).compose(outIds -> {
          Rows rows = rows(batch, drvIds, outIds);
          int n = rows.plain().size() + rows.counted().size();
          if (n <= ROWS_PER_INSERT && rows.placeholders().isEmpty() && (rows.plain().isEmpty() || rows.counted().isEmpty())) {
            return rows.plain().isEmpty() ? insertAttestations(db, rows.counted(), true, now) : insertAttestations(db, rows.plain(), false, now);
          }
          return db.transaction(tx -> {
            Future<Void> chain = RowIds.markPlaceholders(tx, rows.placeholders());
            for (boolean counted : new boolean[] {false, true}) {
              List<Object[]> all = counted ? rows.counted() : rows.plain();
              for (int from = 0; from < all.size(); from += ROWS_PER_INSERT) {
                List<Object[]> part = all.subList(from, Math.min(all.size(), from + ROWS_PER_INSERT));
                chain = chain.compose(v -> insertAttestations(tx, part, counted, now));
              }
            }
            return chain;
          });
        }));
  }

  private static final int ROWS_PER_INSERT = 1000;

  private static Future<Void> insertAttestations(Sql sql, List<Object[]> rows, boolean counted, long now) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    StringBuilder stmt = new StringBuilder("INSERT INTO attestations (user_id, drv_id, output_id, output_hash, output_sig, nar_size, refs,"
        + " sig_status, reports, created_at) VALUES ");
    Object[] params = new Object[rows.size() * 10];
    for (int r = 0; r < rows.size(); r++) {
      stmt.append(r == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      System.arraycopy(rows.get(r), 0, params, r * 10, 9);
      params[r * 10 + 9] = now;
    }
    stmt.append(onConflict(counted));
    return sql.update(stmt.toString(), params).mapEmpty();
  }

  private static boolean checkable(OutputAttestation o) {
    // Placeholders (lenient) are never part of a signature check: no store path, no NAR hash.
    return o.path().isStorePath() && o.signature().isPresent() && o.hash().narHash().isPresent() && o.narSize().isPresent()
        && o.references().isPresent();
  }

  private static SigStatus verify(User user, OutputAttestation o, List<PublicKey> keys) {
    if (!checkable(o) || keys.isEmpty()) {
      return SigStatus.UNVERIFIED;
    }
    Signature sig = o.signature().get();
    String fingerprint;
    try {
      fingerprint = NarInfo.fingerprint(o.path().storePath().orElseThrow(), o.hash().narHash().get(), o.narSize().get(), o.references().get());
    } catch (ValidationException e) {
      throw new InvalidSignatureException("of " + o.path().fullPath() + " cannot be checked: " + e.getMessage());
    }
    boolean knownKeyName = keys.stream().anyMatch(k -> k.name().equals(sig.keyName()));
    if (!knownKeyName) {
      return SigStatus.UNVERIFIED;
    }
    if (keys.stream().anyMatch(k -> k.verify(fingerprint, sig))) {
      return SigStatus.VERIFIED;
    }
    throw new InvalidSignatureException("of " + o.path().fullPath() + " does not verify under " + user.name()
        + "'s key " + sig.keyName() + " over " + fingerprint);
  }

  // ---- reports ----

  public record ReportVersion(long id, String name, int version, String sbom, Optional<String> rootRef, long createdAt) {}

  public Future<List<String>> reportNames() {
    // Jobsets' reports ("jobset/<uuid>", see JobsetService) are listed as jobsets, not as reports.
    return db.query("SELECT name FROM reports WHERE name NOT LIKE 'jobset/%' ORDER BY name")
        .map(rows -> rows.stream().map(r -> r.string("name")).toList());
  }

  /** Stores a new version of the report (the first if new); returns its version number. */
  public Future<Integer> defineReport(String name, String sbom, ReportDefinition def, Optional<User> by) {
    return defineReport(name, sbom, def, by, (tx, versionId, version) -> Future.succeededFuture(version));
  }

  /** What else a new report version's transaction does once the version is stored. */
  interface InSameTransaction<T> {
    Future<T> apply(Sql tx, long versionId, int version);
  }

  /** As {@link #defineReport(String, String, ReportDefinition, Optional)}, with {@code then} in the same transaction. */
  <T> Future<T> defineReport(String name, String sbom, ReportDefinition def, Optional<User> by, InSameTransaction<T> then) {
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
                Future<Void> stored = db.dialect() == Dialect.POSTGRESQL ? reportPathsPg(tx, versionId, def, now, pending)
                    : reportPaths(tx, versionId, def, now, pending);
                return stored.compose(x -> then.apply(tx, versionId, version));
              });
        }))
        .onSuccess(v -> ids.publishOutputs(pending));
  }

  private Future<Void> reportPaths(Sql tx, long versionId, ReportDefinition def, long now, Map<String, Long> pending) {
    Set<String> paths = def.components().stream().map(c -> c.outPath().fullPath()).collect(Collectors.toCollection(LinkedHashSet::new));
    return ids.outputsInTransaction(tx, paths, now, pending).compose(outIds -> {
      List<Object[]> pathRows = new ArrayList<>();
      for (ReportDefinition.Component c : def.components()) {
        pathRows.add(new Object[] {versionId, c.ref(), outIds.get(c.outPath().fullPath()), c.drvPath().orElse(null), c.output().orElse(null)});
      }
      List<Object[]> edgeRows = new ArrayList<>();
      for (ReportDefinition.Edge e : def.edges()) {
        edgeRows.add(new Object[] {versionId, e.parent(), e.child()});
      }
      return RowIds.markPlaceholders(tx, placeholders(def))
          .compose(v -> tx.batch("INSERT INTO report_paths (version_id, ref, output_id, drv_path, output) VALUES (?, ?, ?, ?, ?)", pathRows))
          .compose(x -> tx.batch("INSERT INTO report_edges (version_id, parent_ref, child_ref) VALUES (?, ?, ?)", edgeRows));
    });
  }

  private static Map<String, String> placeholders(ReportDefinition def) {
    Map<String, String> out = new java.util.TreeMap<>();
    def.components().stream().map(ReportDefinition.Component::outPath).filter(p -> !p.isStorePath())
        .forEach(p -> out.put(p.fullPath(), p.hashPart()));
    return out;
  }

  /** PostgreSQL: a version's paths and edges in one statement over {@code unnest}ed arrays, after the outputs' ids. */
  private static final String PG_REPORT_PATHS = "WITH e AS (INSERT INTO report_edges (version_id, parent_ref, child_ref)"
      + "   SELECT ?::int8, p, c FROM unnest(?::text[], ?::text[]) AS t(p, c) RETURNING 1)"
      + " INSERT INTO report_paths (version_id, ref, output_id, drv_path, output)"
      + " SELECT ?::int8, r, o, dp, op FROM unnest(?::text[], ?::int8[], ?::text[], ?::text[]) AS t(r, o, dp, op)";

  private Future<Void> reportPathsPg(Sql tx, long versionId, ReportDefinition def, long now, Map<String, Long> pending) {
    Set<String> keys = new java.util.TreeSet<>();
    def.components().forEach(c -> keys.add(c.outPath().fullPath()));
    return ids.outputsInTransaction(tx, keys, now, pending).compose(outIds -> {
      int n = def.components().size();
      String[] refs = new String[n];
      Long[] outs = new Long[n];
      String[] drvPaths = new String[n];
      String[] outputs = new String[n];
      for (int i = 0; i < n; i++) {
        ReportDefinition.Component c = def.components().get(i);
        refs[i] = c.ref();
        outs[i] = outIds.get(c.outPath().fullPath());
        drvPaths[i] = c.drvPath().orElse(null);
        outputs[i] = c.output().orElse(null);
      }
      String[] parents = new String[def.edges().size()];
      String[] children = new String[def.edges().size()];
      for (int i = 0; i < parents.length; i++) {
        parents[i] = def.edges().get(i).parent();
        children[i] = def.edges().get(i).child();
      }
      return RowIds.markPlaceholders(tx, placeholders(def))
          .compose(v -> tx.update(PG_REPORT_PATHS, versionId, parents, children, versionId, refs, outs, drvPaths, outputs)).mapEmpty();
    });
  }

  /** The given version of a report, or its latest when {@code version} is empty. */
  public Future<Optional<ReportVersion>> report(String name, Optional<Integer> version) {
    String sql = "SELECT v.id, r.name, v.version, v.sbom, v.root_ref, v.created_at FROM reports r JOIN report_versions v ON v.report_id = r.id"
        + " WHERE r.name = ? " + (version.isPresent() ? "AND v.version = ?" : "ORDER BY v.version DESC LIMIT 1");
    Object[] params = version.isPresent() ? new Object[] {name, version.get()} : new Object[] {name};
    return db.queryOne(sql, params).map(r -> r.map(row -> new ReportVersion(row.getLong("id"), row.string("name"), (int) row.getLong("version"),
        row.string("sbom"), Optional.ofNullable(row.string("root_ref")), row.getLong("created_at"))));
  }

  /** A report version by its id. */
  public Future<Optional<ReportVersion>> reportVersion(long versionId) {
    return db.queryOne("SELECT v.id, r.name, v.version, v.sbom, v.root_ref, v.created_at FROM reports r JOIN report_versions v ON v.report_id = r.id"
        + " WHERE v.id = ?", versionId).map(r -> r.map(row -> new ReportVersion(row.getLong("id"), row.string("name"), (int) row.getLong("version"),
        row.string("sbom"), Optional.ofNullable(row.string("root_ref")), row.getLong("created_at"))));
  }

  /** When this version was superseded by the next one; {@code Long.MAX_VALUE} for the latest. */
  public Future<Long> endOf(ReportVersion v) {
    return report(v.name(), Optional.of(v.version() + 1)).map(next -> next.map(ReportVersion::createdAt).orElse(Long.MAX_VALUE));
  }

  /**
   * Every path of a report version with its builders' latest votes. Set-based: one query for
   * the version's paths (in ref order, from the primary key), one for the attestations of
   * those paths (by the indexed output id), one for user names; grouped in memory on the
   * worker pool. No per-path queries, no sort of the attestations in SQL: the latest vote of
   * a builder is the one with the highest id.
   */
  public Future<List<PathStatus>> statuses(long versionId, boolean includeRevoked) {
    Future<List<ReportPath>> paths = versionPaths(versionId);
    Future<List<Row>> votes = db.query("SELECT a.id, a.output_id, a.user_id, a.output_hash, a.sig_status, a.created_at, " + LatestVotes.VERIFIED_SIG
        + " FROM report_paths rp JOIN attestations a ON a.output_id = rp.output_id WHERE rp.version_id = ?", versionId);
    Future<Electorate> electorate = Electorate.load(db);
    return Future.all(paths, votes, electorate)
        .compose(all -> cpu(() -> group(paths.result(), votes.result(), electorate.result(), includeRevoked)));
  }

  /** The statuses that verdicts are made of: revoked builders' votes left out. */
  public Future<List<PathStatus>> statuses(long versionId) {
    return statuses(versionId, false);
  }

  /** One path of a report version, as stored when the version was defined. */
  record ReportPath(String ref, long outputId, OutputPath path, Optional<String> drvPath, Optional<String> output) {}

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
        .compose(rows -> cpu(() -> {
          List<ReportPath> out = new ArrayList<>(rows.size());
          for (Row r : rows) {
            out.add(new ReportPath(r.string("ref"), r.getLong("output_id"), OutputPath.ofStored(r.string("path")),
                Optional.ofNullable(r.string("drv_path")), Optional.ofNullable(r.string("output"))));
          }
          List<ReportPath> frozen = java.util.Collections.unmodifiableList(out);
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
      List<Vote> v = latest.tally(p.outputId());
      out.add(new PathStatus(p.ref(), p.path(), p.drvPath(), p.output(), v));
    }
    return out;
  }

  /** CPU-bound work (grouping hundreds of thousands of rows) off the event loop. */
  <T> Future<T> cpu(java.util.concurrent.Callable<T> work) {
    if (workers == null) {
      try {
        return Future.succeededFuture(work.call());
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    }
    return workers.executeBlocking(work, false);
  }

  public Future<List<ReportDefinition.Edge>> edges(long versionId) {
    return db.query("SELECT parent_ref, child_ref FROM report_edges WHERE version_id = ?", versionId)
        .map(rows -> rows.stream().map(r -> new ReportDefinition.Edge(r.string("parent_ref"), r.string("child_ref"))).toList());
  }

  /** Output paths (full) the user has attested among the given ones. */
  public Future<Set<String>> attestedBy(long userId, Collection<String> paths) {
    if (paths.isEmpty()) {
      return Future.succeededFuture(Set.of());
    }
    List<Object> params = new ArrayList<>(paths);
    return dev.cairn.db.InLists.query(db, "SELECT DISTINCT o.path FROM attestations a JOIN outputs o ON o.id = a.output_id WHERE a.user_id = " + userId
        + " AND o.path IN ", params).map(rows -> rows.stream().map(r -> r.string("path")).collect(Collectors.toSet()));
  }
}
