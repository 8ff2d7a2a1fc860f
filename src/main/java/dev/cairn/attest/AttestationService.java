package dev.cairn.attest;

import dev.cairn.db.Database;
import dev.cairn.db.Sql;
import dev.cairn.users.User;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.util.List;
import java.util.Optional;

/**
 * The attest capability's data, as its routes see it: writes of attestations ({@link
 * AttestationWriter}), reports ({@link ReportStore}), and the worker pool for CPU work
 * ({@link Cpu}). Where SQLite and PostgreSQL differ is {@link AttestSql}'s alone.
 */
public final class AttestationService {
  private final AttestationWriter writer;
  private final ReportStore reports;
  private final Cpu cpu;

  /** For admin commands: CPU-bound grouping runs on the caller's thread. */
  public AttestationService(Database db) {
    this(db, null, InputLimits.defaults());
  }

  /** {@code workers} runs CPU-bound parsing and grouping off the event loop. */
  public AttestationService(Database db, WorkerExecutor workers, InputLimits limits) {
    AttestSql sql = AttestSql.of(db);
    RowIds ids = new RowIds(sql);
    this.cpu = new Cpu(workers);
    this.writer = new AttestationWriter(db, sql, ids, cpu, limits);
    this.reports = new ReportStore(db, sql, ids, cpu, limits);
  }

  /** One derivation's outputs, as one entry of a batch. */
  public record Entry(DrvIdent drv, List<OutputAttestation> outputs) {}

  public record ReportVersion(long id, String name, int version, String sbom, Optional<String> rootRef, long createdAt) {}

  /** What else a new report version's transaction does once the version is stored. */
  interface InSameTransaction<T> {
    Future<T> apply(Sql tx, long versionId, int version);
  }

  /**
   * lila's {@code POST /attestation/{drv}}: like a batch of one entry, except that a repeated
   * report adds to the row's {@code reports} count (lila's {@code GET /derivations/{drv}} counts
   * every POST); verdicts still count the builder once.
   */
  public Future<Void> ingest(User user, DrvIdent drv, List<OutputAttestation> outputs) {
    return writer.ingest(user, List.of(new Entry(drv, outputs)), true).mapEmpty();
  }

  /** All entries or none; posting the same entries again changes nothing. Returns the number of outputs taken. */
  public Future<Integer> ingestBatch(User user, List<Entry> entries) {
    return writer.ingest(user, entries, false);
  }

  public Future<List<String>> reportNames() {
    return reports.reportNames();
  }

  /** Stores a new version of the report (the first if new); returns its version number. */
  public Future<Integer> defineReport(String name, String sbom, ReportDefinition def, Optional<User> by) {
    return reports.defineReport(name, sbom, def, by, (tx, versionId, version) -> Future.succeededFuture(version));
  }

  /** As {@link #defineReport(String, String, ReportDefinition, Optional)}, with {@code then} in the same transaction. */
  <T> Future<T> defineReport(String name, String sbom, ReportDefinition def, Optional<User> by, InSameTransaction<T> then) {
    return reports.defineReport(name, sbom, def, by, then);
  }

  /** The given version of a report, or its latest when {@code version} is empty. */
  public Future<Optional<ReportVersion>> report(String name, Optional<Integer> version) {
    return reports.report(name, version);
  }

  public Future<Optional<ReportVersion>> reportVersion(long versionId) {
    return reports.reportVersion(versionId);
  }

  /** When this version was superseded by the next one; {@code Long.MAX_VALUE} for the latest. */
  public Future<Long> endOf(ReportVersion v) {
    return reports.endOf(v);
  }

  /** Every path of a report version with its builders' latest votes; revoked builders' votes only when asked. */
  public Future<List<PathStatus>> statuses(long versionId, boolean includeRevoked) {
    return reports.statuses(versionId, includeRevoked);
  }

  /** The statuses that verdicts are made of: revoked builders' votes left out. */
  public Future<List<PathStatus>> statuses(long versionId) {
    return reports.statuses(versionId, false);
  }

  Future<List<ReportStore.ReportPath>> versionPaths(long versionId) {
    return reports.versionPaths(versionId);
  }

  public Future<List<ReportDefinition.Edge>> edges(long versionId) {
    return reports.edges(versionId);
  }

  /** CPU-bound work off the event loop (see {@link Cpu}). */
  <T> Future<T> cpu(java.util.concurrent.Callable<T> work) {
    return cpu.run(work);
  }
}
