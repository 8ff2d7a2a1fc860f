package dev.cairn.attest;

import dev.cairn.db.Database;
import dev.cairn.db.Row;
import dev.cairn.server.http.ClientError;
import dev.cairn.users.User;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * lila's jobsets and evaluations (its 2026 API) on Cairn's reports: a jobset owns one report
 * (named {@code jobset/<uuid>}, out of reach of {@code PUT /reports/{name}}), and each
 * evaluation is one version of it, stored in the version's own transaction, one per (jobset,
 * git revision). So everything Cairn computes per report version — statuses, policies,
 * diffs, Frankenbuild exposure — is there per evaluation.
 */
final class JobsetService {
  private final Database db;
  private final AttestationService reports;

  JobsetService(Database db, AttestationService reports) {
    this.db = db;
    this.reports = reports;
  }

  record Jobset(long id, String name, Optional<String> description, Optional<String> flakeref, boolean enabled, long reportId, long createdAt,
                long updatedAt) {}

  record Evaluation(long id, long jobsetId, String gitRevision, long versionId, long uploadedAt) {}

  /** A name or revision that is taken: 409, with lila's wording. */
  static final class ConflictException extends IllegalStateException implements ClientError {
    ConflictException(String message) {
      super(message);
    }

    @Override
    public int httpStatus() {
      return 409;
    }
  }

  private static final String JOBSET = "SELECT id, name, description, flakeref, enabled, report_id, created_at, updated_at FROM jobsets ";

  private static Jobset jobset(Row r) {
    return new Jobset(r.getLong("id"), r.string("name"), Optional.ofNullable(r.string("description")), Optional.ofNullable(r.string("flakeref")),
        r.getLong("enabled") != 0,
        r.getLong("report_id"), r.getLong("created_at"), r.getLong("updated_at"));
  }

  Future<Jobset> create(String name, Optional<String> description, Optional<String> flakeref, boolean enabled) {
    long now = System.currentTimeMillis();
    return db.transaction(tx -> tx.query("INSERT INTO reports (name, created_at) VALUES (?, ?) RETURNING id", "jobset/" + UUID.randomUUID(), now)
        .compose(report -> tx.query("INSERT INTO jobsets (name, description, flakeref, enabled, report_id, created_at, updated_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING id", name, description.orElse(null), flakeref.orElse(null),
            enabled ? 1L : 0L, report.get(0).getLong("id"), now, now))
        .compose(rows -> rows.isEmpty() ? Future.failedFuture(new ConflictException("Jobset '" + name + "' already exists"))
            : tx.queryOne(JOBSET + "WHERE id = ?", rows.get(0).getLong("id")).map(r -> jobset(r.orElseThrow()))));
  }

  Future<List<Jobset>> list() {
    return db.query(JOBSET + "ORDER BY id").map(rows -> rows.stream().map(JobsetService::jobset).toList());
  }

  Future<Optional<Jobset>> get(long id) {
    return db.queryOne(JOBSET + "WHERE id = ?", id).map(r -> r.map(JobsetService::jobset));
  }

  /** Changes the given fields; empty when there is no such jobset. A name another jobset has is a 409. */
  Future<Optional<Jobset>> update(long id, Optional<String> name, Optional<Optional<String>> description, Optional<Optional<String>> flakeref,
                                  Optional<Boolean> enabled) {
    long now = System.currentTimeMillis();
    return db.transaction(tx -> tx.queryOne(JOBSET + "WHERE id = ?", id).compose(found -> {
      if (found.isEmpty()) {
        return Future.succeededFuture(Optional.<Jobset>empty());
      }
      Jobset j = jobset(found.get());
      String newName = name.orElse(j.name());
      Future<Void> free = newName.equals(j.name()) ? Future.succeededFuture()
          : tx.queryOne("SELECT id FROM jobsets WHERE name = ?", newName).compose(other -> other.isPresent()
              ? Future.failedFuture(new ConflictException("Jobset '" + newName + "' already exists")) : Future.succeededFuture());
      return free.compose(v -> tx.update("UPDATE jobsets SET name = ?, description = ?, flakeref = ?, enabled = ?, updated_at = ? WHERE id = ?",
              newName, description.orElse(j.description()).orElse(null), flakeref.orElse(j.flakeref()).orElse(null),
              enabled.orElse(j.enabled()) ? 1L : 0L, now, id))
          .compose(v -> tx.queryOne(JOBSET + "WHERE id = ?", id).map(r -> r.map(JobsetService::jobset)));
    }));
  }

  /**
   * Deletes the jobset and its evaluations (the rows that name them). Its report versions and
   * every attestation stay: they are evidence, and ids are never reused, so nothing else can
   * come to name them.
   */
  Future<Boolean> delete(long id) {
    return db.transaction(tx -> tx.update("DELETE FROM evaluations WHERE jobset_id = ?", id)
        .compose(v -> tx.update("DELETE FROM jobsets WHERE id = ?", id)).map(n -> n > 0));
  }

  private static final String EVALUATION = "SELECT id, jobset_id, git_revision, version_id, uploaded_at FROM evaluations ";

  private static Evaluation evaluation(Row r) {
    return new Evaluation(r.getLong("id"), r.getLong("jobset_id"), r.string("git_revision"), r.getLong("version_id"), r.getLong("uploaded_at"));
  }

  /**
   * A new evaluation: the SBOM becomes the next version of the jobset's report, and the
   * evaluation row (and the derivations' systems the SBOM names, for the rebuild queue) is
   * written in that version's transaction; a revision the jobset already has
   * is a 409 (lila's rule) and leaves nothing behind.
   */
  Future<Evaluation> upload(Jobset jobset, String gitRevision, String sbom, ReportDefinition def, User by) {
    long now = System.currentTimeMillis();
    return db.queryOne("SELECT name FROM reports WHERE id = ?", jobset.reportId()).compose(report -> reports.defineReport(
        report.orElseThrow().string("name"), sbom, def, Optional.of(by), (tx, versionId, version) -> tx.query(
            "INSERT INTO evaluations (jobset_id, git_revision, version_id, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (jobset_id, git_revision) DO NOTHING RETURNING id", jobset.id(), gitRevision, versionId, by.id(), now)
            .compose(rows -> rows.isEmpty()
                ? Future.failedFuture(new ConflictException("Evaluation with revision '" + gitRevision + "' already exists for this jobset"))
                : DerivationSystems.record(tx, def).map(v -> new Evaluation(rows.get(0).getLong("id"), jobset.id(), gitRevision, versionId, now)))));
  }

  /** Evaluations in upload order: all, or one jobset's. */
  Future<List<Evaluation>> evaluations(Optional<Long> jobsetId) {
    return (jobsetId.isPresent() ? db.query(EVALUATION + "WHERE jobset_id = ? ORDER BY id", jobsetId.get()) : db.query(EVALUATION + "ORDER BY id"))
        .map(rows -> rows.stream().map(JobsetService::evaluation).toList());
  }

  Future<Optional<Evaluation>> evaluation(long id) {
    return db.queryOne(EVALUATION + "WHERE id = ?", id).map(r -> r.map(JobsetService::evaluation));
  }

  /** The report version an evaluation is. */
  Future<AttestationService.ReportVersion> version(Evaluation e) {
    return reports.reportVersion(e.versionId()).map(Optional::orElseThrow);
  }

  /** The output paths an evaluation names, in the SBOM's ref order. */
  Future<List<String>> outputPaths(Evaluation e) {
    return reports.versionPaths(e.versionId()).map(paths -> paths.stream().map(p -> p.path().fullPath()).distinct().toList());
  }
}
