package dev.cairn.attest.queue;

import dev.cairn.db.Database;
import dev.cairn.db.Dialect;
import dev.cairn.db.Row;
import dev.cairn.db.Sql;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The leased rebuild queue (issue 13 part 3): one job per derivation named by a jobset's
 * evaluations; a job is handed to one builder at a time under a lease, never to a builder that
 * already attested one of its outputs, until every output is reproduced by two or more builders.
 *
 * <p>What feeds it: every evaluation uploaded to a jobset ({@code PUT
 * /api/jobsets/{id}/upload-evaluation}): each SBOM component with a {@code nix:drv_path} and a
 * store-path output becomes (or joins) the job of that derivation. {@link #feed} turns
 * evaluations newer than a watermark into jobs before each pop. Jobs pop only while one of
 * their jobsets is enabled.
 *
 * <p>Attestations are not hooked: the queue reads them. A lease whose holder has attested every
 * output of the job is complete; {@link #settle} turns such leases (and expired ones) back into
 * queued or done jobs before every pop, ping and count, and touches only leased rows.
 */
public final class RebuildQueue {
  /** Queued jobs at the head of the queue checked per pop for having been reproduced meanwhile. */
  static final int HEAD_SWEEP = 200;

  private final Database db;
  private final long leaseMillis;

  public RebuildQueue(Database db, long leaseMillis) {
    this.db = db;
    this.leaseMillis = leaseMillis;
  }

  public long leaseMillis() {
    return leaseMillis;
  }

  /** A job as a builder receives it. */
  public record Job(long id, String drvPath, List<String> outputs, int priority, long leaseExpiresAt) {}

  public record Counts(long queued, long leased, long done) {}

  /** What a builder asks for: how many jobs, of which system, of which jobset (by name). */
  public record Pop(int max, Optional<String> system, Optional<String> jobset) {}

  // A job is reproduced when each of its outputs has votes from two or more (unrevoked)
  // builders that all carry one hash. "JOB" is replaced by the job id expression.
  private static final String REPRODUCED = "NOT EXISTS (SELECT 1 FROM queue_job_outputs qo WHERE qo.job_id = JOB AND qo.output_id NOT IN"
      + " (SELECT a.output_id FROM attestations a JOIN users u ON u.id = a.user_id WHERE a.output_id = qo.output_id AND u.revoked_at IS NULL"
      + " GROUP BY a.output_id HAVING COUNT(DISTINCT a.user_id) >= 2 AND COUNT(DISTINCT a.output_hash) = 1))";

  private static String reproduced(String job) {
    return REPRODUCED.replace("JOB", job);
  }

  /** The builder (first parameter) attested an output of the job. */
  private static String attestedBy(String job) {
    return "EXISTS (SELECT 1 FROM queue_job_outputs qa JOIN attestations a ON a.output_id = qa.output_id WHERE qa.job_id = " + job
        + " AND a.user_id = ?)";
  }

  /** The holder attested every output of the job. */
  private static final String HOLDER_ATTESTED_ALL = "NOT EXISTS (SELECT 1 FROM queue_job_outputs qo WHERE qo.job_id = queue_jobs.id"
      + " AND NOT EXISTS (SELECT 1 FROM attestations a WHERE a.output_id = qo.output_id AND a.user_id = queue_jobs.holder))";

  /** Turns evaluations uploaded since the last feed into jobs. */
  public Future<Void> feed() {
    return db.queryOne("SELECT f.last_evaluation_id AS fed, (SELECT COALESCE(MAX(id), 0) FROM evaluations) AS latest FROM queue_feed f WHERE f.id = 1")
        .compose(r -> r.orElseThrow().getLong("latest") <= r.get().getLong("fed") ? Future.succeededFuture() : db.transaction(this::feedLocked));
  }

  private static final String FED_PATHS = " FROM evaluations e JOIN report_paths rp ON rp.version_id = e.version_id"
      + " JOIN outputs o ON o.id = rp.output_id WHERE e.id > ? AND e.id <= ? AND rp.drv_path LIKE '/nix/store/%.drv'"
      + " AND o.placeholder_digest IS NULL AND o.path LIKE '/nix/store/%'";

  private Future<Void> feedLocked(Sql tx) {
    long now = System.currentTimeMillis();
    // The no-op update takes the feed row's lock (PostgreSQL; SQLite serialises writers): one feeder at a time.
    return tx.update("UPDATE queue_feed SET last_evaluation_id = last_evaluation_id WHERE id = 1")
        .compose(v -> tx.queryOne("SELECT f.last_evaluation_id AS fed, (SELECT COALESCE(MAX(id), 0) FROM evaluations) AS latest FROM queue_feed f WHERE f.id = 1"))
        .compose(r -> {
          long fed = r.orElseThrow().getLong("fed");
          long latest = r.get().getLong("latest");
          if (latest <= fed) {
            return Future.succeededFuture();
          }
          return tx.update("INSERT INTO queue_jobs (drv_path, priority, state, created_at, updated_at) SELECT DISTINCT rp.drv_path, 0, 'queued', CAST(? AS BIGINT), CAST(? AS BIGINT)"
                  + FED_PATHS + " ON CONFLICT (drv_path) DO NOTHING", now, now, fed, latest)
              .compose(v -> tx.update("INSERT INTO queue_job_outputs (job_id, output_id) SELECT DISTINCT j.id, rp.output_id" + FED_PATHS.replace(
                  " WHERE", " JOIN queue_jobs j ON j.drv_path = rp.drv_path WHERE") + " ON CONFLICT (job_id, output_id) DO NOTHING", fed, latest))
              .compose(v -> tx.update("INSERT INTO queue_job_jobsets (job_id, jobset_id) SELECT DISTINCT j.id, e.jobset_id" + FED_PATHS.replace(
                  " WHERE", " JOIN queue_jobs j ON j.drv_path = rp.drv_path WHERE") + " ON CONFLICT (job_id, jobset_id) DO NOTHING", fed, latest))
              .compose(v -> tx.update(PRIORITY_OF_JOBS + "WHERE id IN (SELECT m.job_id FROM queue_job_jobsets m JOIN evaluations e"
                  + " ON e.jobset_id = m.jobset_id WHERE e.id > ? AND e.id <= ?)", fed, latest))
              .compose(v -> tx.update("UPDATE queue_feed SET last_evaluation_id = ? WHERE id = 1", latest)).mapEmpty();
        });
  }

  /** A job's priority: the highest of its jobsets'. */
  private static final String PRIORITY_OF_JOBS = "UPDATE queue_jobs SET priority = COALESCE((SELECT MAX(p.priority) FROM queue_job_jobsets m"
      + " JOIN queue_jobset_priorities p ON p.jobset_id = m.jobset_id WHERE m.job_id = queue_jobs.id), 0) ";

  /** Sets a jobset's priority (higher pops first) and its jobs'. Empty when there is no such jobset. */
  public Future<Boolean> setPriority(long jobsetId, int priority) {
    return db.transaction(tx -> tx.queryOne("SELECT id FROM jobsets WHERE id = ?", jobsetId).compose(js -> js.isEmpty() ? Future.succeededFuture(false)
        : tx.update("INSERT INTO queue_jobset_priorities (jobset_id, priority) VALUES (?, ?) ON CONFLICT (jobset_id) DO UPDATE SET priority = excluded.priority",
                jobsetId, priority)
            .compose(v -> tx.update(PRIORITY_OF_JOBS + "WHERE id IN (SELECT job_id FROM queue_job_jobsets WHERE jobset_id = ?)", jobsetId))
            .map(v -> true)));
  }

  /**
   * Completed leases (the holder attested every output) become done or queued again, and
   * expired leases queued; only leased rows are read.
   */
  public Future<Void> settle() {
    long now = System.currentTimeMillis();
    return db.update("UPDATE queue_jobs SET state = CASE WHEN " + reproduced("queue_jobs.id") + " THEN 'done' ELSE 'queued' END,"
            + " holder = NULL, lease_expires_at = NULL, updated_at = ? WHERE state = 'leased' AND " + HOLDER_ATTESTED_ALL, now)
        .compose(v -> db.update("UPDATE queue_jobs SET state = 'queued', holder = NULL, lease_expires_at = NULL, updated_at = ?"
            + " WHERE state = 'leased' AND lease_expires_at < ?", now, now))
        .mapEmpty();
  }

  /**
   * Leases up to {@code pop.max()} jobs to {@code builderId}: the highest priority first, then
   * the oldest. One UPDATE claims them; it re-checks that each row is still queued, so two
   * builders popping at once never get the same job (PostgreSQL: the candidates are locked
   * with SKIP LOCKED, so a concurrent pop takes the next ones instead of coming back short;
   * SQLite runs one writer at a time).
   */
  public Future<List<Job>> pop(long builderId, Pop pop, Optional<Long> jobsetId) {
    long now = System.currentTimeMillis();
    long expires = now + leaseMillis;
    List<Object> params = new ArrayList<>(List.of(builderId, expires, now));
    StringBuilder candidates = new StringBuilder("SELECT j.id FROM queue_jobs j WHERE j.state = 'queued'");
    if (pop.system().isPresent()) {
      candidates.append(" AND (j.system IS NULL OR j.system = ?)");
      params.add(pop.system().get());
    }
    candidates.append(" AND EXISTS (SELECT 1 FROM queue_job_jobsets m JOIN jobsets js ON js.id = m.jobset_id WHERE m.job_id = j.id AND js.enabled = 1");
    if (jobsetId.isPresent()) {
      candidates.append(" AND js.id = ?");
      params.add(jobsetId.get());
    }
    candidates.append(") AND NOT ").append(attestedBy("j.id")).append(" AND NOT ").append(reproduced("j.id"))
        .append(" AND NOT EXISTS (SELECT 1 FROM queue_job_failures f WHERE f.job_id = j.id AND f.user_id = ?)")
        .append(" ORDER BY j.priority DESC, j.id LIMIT ?");
    params.add(builderId);
    params.add(builderId);
    params.add(pop.max());
    if (db.dialect() == Dialect.POSTGRESQL) {
      candidates.append(" FOR UPDATE OF j SKIP LOCKED");
    }
    return feed().compose(v -> settle()).compose(v -> sweepHead(now))
        .compose(v -> db.query("UPDATE queue_jobs SET state = 'leased', holder = ?, lease_expires_at = ?, updated_at = ? WHERE state = 'queued'"
            + " AND id IN (" + candidates + ") RETURNING id, drv_path, priority, lease_expires_at", params.toArray()))
        .compose(this::withOutputs);
  }

  /** Marks done the queued jobs at the head of the queue that builders reproduced outside the queue. */
  private Future<Void> sweepHead(long now) {
    return db.update("UPDATE queue_jobs SET state = 'done', updated_at = ? WHERE state = 'queued' AND id IN (SELECT h.id FROM (SELECT id FROM"
        + " queue_jobs WHERE state = 'queued' ORDER BY priority DESC, id LIMIT " + HEAD_SWEEP + ") h WHERE " + reproduced("h.id") + ")", now).mapEmpty();
  }

  private Future<List<Job>> withOutputs(List<Row> claimed) {
    if (claimed.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Object> ids = claimed.stream().map(r -> (Object) r.getLong("id")).toList();
    String marks = String.join(", ", Collections.nCopies(ids.size(), "?"));
    return db.query("SELECT qo.job_id, o.path FROM queue_job_outputs qo JOIN outputs o ON o.id = qo.output_id WHERE qo.job_id IN (" + marks + ")"
        + " ORDER BY o.path", ids.toArray()).map(rows -> {
          Map<Long, List<String>> outputs = new LinkedHashMap<>();
          rows.forEach(r -> outputs.computeIfAbsent(r.getLong("job_id"), k -> new ArrayList<>()).add(r.string("path")));
          // RETURNING gives no order: the claim order is priority, then age (id).
          return claimed.stream().map(r -> new Job(r.getLong("id"), r.string("drv_path"), List.copyOf(outputs.getOrDefault(r.getLong("id"), List.of())),
                  (int) r.getLong("priority"), r.getLong("lease_expires_at")))
              .sorted(Comparator.comparingInt((Job j) -> -j.priority()).thenComparingLong(Job::id)).toList();
        });
  }

  /** Why a holder's request (ping, fail) was refused. */
  public enum Refusal { NO_SUCH_JOB, LEASED_BY_ANOTHER, NOT_LEASED }

  /** What a holder's request did: the lease's new deadline (ping), nothing (fail), or why it was refused. */
  public record LeaseResult(Optional<Long> leaseExpiresAt, Optional<Refusal> refusal) {
    static LeaseResult refused(Refusal why) {
      return new LeaseResult(Optional.empty(), Optional.of(why));
    }
  }

  /** Renews the lease of the job for its holder; otherwise says why not. */
  public Future<LeaseResult> ping(long jobId, long builderId) {
    return settle().compose(v -> {
      long now = System.currentTimeMillis();
      return db.query("UPDATE queue_jobs SET lease_expires_at = ?, updated_at = ? WHERE id = ? AND state = 'leased' AND holder = ?"
          + " AND lease_expires_at >= ? RETURNING lease_expires_at", now + leaseMillis, now, jobId, builderId, now);
    }).compose(rows -> {
      if (!rows.isEmpty()) {
        return Future.succeededFuture(new LeaseResult(Optional.of(rows.get(0).getLong("lease_expires_at")), Optional.empty()));
      }
      return refusal(jobId, builderId).map(LeaseResult::refused);
    });
  }

  /** Why {@code builderId} does not hold the job's lease. */
  private Future<Refusal> refusal(long jobId, long builderId) {
    return db.queryOne("SELECT state, holder FROM queue_jobs WHERE id = ?", jobId).map(r -> r.isEmpty() ? Refusal.NO_SUCH_JOB
        : "leased".equals(r.get().string("state")) && r.get().getLong("holder") != builderId ? Refusal.LEASED_BY_ANOTHER
        : Refusal.NOT_LEASED);
  }

  /**
   * The holder could not build the job: the lease ends now, the job is queued for other
   * builders and never offered to this one again.
   */
  public Future<LeaseResult> fail(long jobId, long builderId) {
    long now = System.currentTimeMillis();
    return db.transaction(tx -> tx.query("UPDATE queue_jobs SET state = 'queued', holder = NULL, lease_expires_at = NULL, updated_at = ?"
            + " WHERE id = ? AND state = 'leased' AND holder = ? RETURNING id", now, jobId, builderId)
        .compose(rows -> rows.isEmpty() ? Future.succeededFuture(false)
            : tx.update("INSERT INTO queue_job_failures (job_id, user_id, failed_at) VALUES (?, ?, ?) ON CONFLICT (job_id, user_id) DO NOTHING",
                jobId, builderId, now).map(n -> true)))
        .compose(released -> released ? Future.succeededFuture(new LeaseResult(Optional.empty(), Optional.empty()))
            : refusal(jobId, builderId).map(LeaseResult::refused));
  }

  /** Queued (including expired leases), leased (live leases) and done jobs. */
  public Future<Counts> counts() {
    long now = System.currentTimeMillis();
    return feed().compose(v -> settle()).compose(v -> db.queryOne("SELECT"
        + " COALESCE(SUM(CASE WHEN state = 'queued' OR (state = 'leased' AND lease_expires_at < ?) THEN 1 ELSE 0 END), 0) AS queued,"
        + " COALESCE(SUM(CASE WHEN state = 'leased' AND lease_expires_at >= ? THEN 1 ELSE 0 END), 0) AS leased,"
        + " COALESCE(SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END), 0) AS done FROM queue_jobs", now, now))
        .map(r -> new Counts(r.orElseThrow().getLong("queued"), r.get().getLong("leased"), r.get().getLong("done")));
  }

  /** A jobset's id by name. */
  public Future<Optional<Long>> jobsetId(String name) {
    return db.queryOne("SELECT id FROM jobsets WHERE name = ?", name).map(r -> r.map(x -> x.getLong("id")));
  }
}
