package dev.cairn.attest.queue;

import dev.cairn.attest.OutputVotes;
import dev.cairn.attest.Status;
import dev.cairn.db.Database;
import dev.cairn.db.Dialect;
import dev.cairn.db.InLists;
import dev.cairn.db.Row;
import dev.cairn.db.Sql;
import dev.cairn.nix.NixSystem;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The leased rebuild queue (issue 13 part 3): one job per derivation named by a jobset's
 * evaluations; a job is handed to one builder at a time under a lease, never to a builder that
 * already attested one of its outputs, until every output is reproduced.
 *
 * <p>What feeds it: every evaluation uploaded to a jobset ({@code PUT
 * /api/jobsets/{id}/upload-evaluation}): each SBOM component with a {@code nix:drv_path} and a
 * store-path output becomes (or joins) the job of that derivation, with the derivation's
 * system when the SBOM names it ({@code nix:system}, {@link dev.cairn.attest.DerivationSystems}).
 * {@link #feed} turns evaluations newer than a watermark into jobs before each pop. Jobs pop
 * only while one of their jobsets is enabled, and only to pops of their system (or of none);
 * a job whose system no SBOM named goes to any builder.
 *
 * <p>"Reproduced" is read as the reports read it ({@link OutputVotes#statuses}: each unrevoked
 * builder's latest vote, {@link Status#REPRODUCED} when two or more agree), never by SQL of its
 * own. Attestations are not hooked: the queue reads them. A lease whose holder has attested
 * every output of the job is complete; {@link #settle} turns such leases (and expired ones)
 * back into queued or done jobs before every pop, ping and count. {@link #reopen} decides done
 * jobs again when their outputs get new attestations, so a later disagreeing builder makes a
 * job poppable again (for a tie-break).
 */
public final class RebuildQueue {
  /** Jobs looked at per round of a pop beyond those wanted: some may turn out reproduced meanwhile and are marked done instead. */
  static final int SLACK = 16;
  /** Rounds of a pop at most: each leases jobs, or marks reproduced ones done, or finds no more candidates. */
  static final int ROUNDS = 8;
  /** Attestation rows one reopening pass reads at most. */
  static final int REOPEN_ROWS = 10_000;
  /**
   * Attestations written (created_at) this recently are read again by the next reopening pass:
   * ids are handed out before commit, so a lower id can commit after a higher one (concurrent
   * group commits, replicas); an attestation committed later than this after it was written
   * would not reopen a job.
   */
  static final long COMMIT_GRACE_MILLIS = 60_000;

  private final Database db;
  private final long leaseMillis;
  private final OutputVotes votes;

  public RebuildQueue(Database db, long leaseMillis) {
    this.db = db;
    this.leaseMillis = leaseMillis;
    this.votes = new OutputVotes(db);
  }

  public long leaseMillis() {
    return leaseMillis;
  }

  /** A job as a builder receives it; {@code system} empty when no SBOM named the derivation's system. */
  public record Job(long id, String drvPath, Optional<String> system, List<String> outputs, int priority, long leaseExpiresAt) {}

  public record Counts(long queued, long leased, long done) {}

  /** What a builder asks for: how many jobs, of which system, of which jobset (by name). */
  public record Pop(int max, Optional<NixSystem> system, Optional<String> jobset) {}

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
          return tx.update("INSERT INTO queue_jobs (drv_path, system, priority, state, created_at, updated_at) SELECT DISTINCT rp.drv_path, ds.system, 0,"
                  + " 'queued', CAST(? AS BIGINT), CAST(? AS BIGINT)" + FED_PATHS.replace(" WHERE", " LEFT JOIN derivation_systems ds ON ds.drv_path = rp.drv_path WHERE")
                  + " ON CONFLICT (drv_path) DO NOTHING", now, now, fed, latest)
              // A job fed before any SBOM named its system takes the one a newer evaluation names.
              .compose(v -> tx.update("UPDATE queue_jobs SET system = (SELECT ds.system FROM derivation_systems ds WHERE ds.drv_path = queue_jobs.drv_path)"
                  + " WHERE system IS NULL AND drv_path IN (SELECT rp.drv_path" + FED_PATHS + ")", fed, latest))
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
    return db.query("SELECT id FROM queue_jobs WHERE state = 'leased' AND " + HOLDER_ATTESTED_ALL)
        // The guard again: a lease that expired and went to another builder meanwhile is not theirs to complete.
        .compose(rows -> decide(ids(rows), "leased", " AND " + HOLDER_ATTESTED_ALL, now))
        .compose(v -> db.update("UPDATE queue_jobs SET state = 'queued', holder = NULL, lease_expires_at = NULL, updated_at = ?"
            + " WHERE state = 'leased' AND lease_expires_at < ?", now, now))
        .mapEmpty();
  }

  /**
   * Done jobs whose outputs got attestations since the last pass are decided again: queued
   * when no longer reproduced (a builder disagreed). Reads at most {@link #REOPEN_ROWS}
   * attestations from the watermark, and keeps the last {@link #COMMIT_GRACE_MILLIS} of them
   * for the next pass.
   */
  public Future<Void> reopen() {
    long now = System.currentTimeMillis();
    return db.queryOne("SELECT last_attestation_id AS seen FROM queue_feed WHERE id = 1").compose(r -> {
      long seen = r.orElseThrow().getLong("seen");
      return db.queryOne("SELECT MAX(x.id) AS top FROM (SELECT id FROM attestations WHERE id > ? ORDER BY id LIMIT " + REOPEN_ROWS + ") x", seen)
          .compose(t -> {
            if (t.isEmpty() || t.get().isNull("top")) {
              return Future.succeededFuture();
            }
            long top = t.get().getLong("top");
            return db.query("SELECT DISTINCT qo.job_id AS id FROM attestations a JOIN queue_job_outputs qo ON qo.output_id = a.output_id"
                    + " JOIN queue_jobs j ON j.id = qo.job_id WHERE a.id > ? AND a.id <= ? AND j.state = 'done'", seen, top)
                .compose(rows -> decide(ids(rows), "done", "", now))
                .compose(v -> db.queryOne("SELECT MIN(id) AS recent FROM attestations WHERE id > ? AND id <= ? AND created_at >= ?",
                    seen, top, now - COMMIT_GRACE_MILLIS))
                .compose(m -> {
                  long upTo = m.isEmpty() || m.get().isNull("recent") ? top : m.get().getLong("recent") - 1;
                  return upTo <= seen ? Future.succeededFuture()
                      : db.update("UPDATE queue_feed SET last_attestation_id = ? WHERE id = 1 AND last_attestation_id < ?", upTo, upTo).mapEmpty();
                });
          });
    });
  }

  private static List<Long> ids(List<Row> rows) {
    return rows.stream().map(r -> r.getLong("id")).toList();
  }

  /** The jobs (of {@code jobIds}) whose every output is reproduced, read as the reports read it. */
  private Future<Set<Long>> reproduced(List<Long> jobIds) {
    if (jobIds.isEmpty()) {
      return Future.succeededFuture(Set.of());
    }
    return InLists.query(db, "SELECT job_id, output_id FROM queue_job_outputs WHERE job_id IN ", jobIds).compose(rows -> {
      Map<Long, List<Long>> outputs = new HashMap<>();
      rows.forEach(r -> outputs.computeIfAbsent(r.getLong("job_id"), k -> new ArrayList<>()).add(r.getLong("output_id")));
      return votes.statuses(rows.stream().map(r -> r.getLong("output_id")).toList()).map(statuses -> {
        Set<Long> out = new HashSet<>();
        outputs.forEach((job, outs) -> {
          if (outs.stream().allMatch(o -> statuses.get(o) == Status.REPRODUCED)) {
            out.add(job);
          }
        });
        return out;
      });
    });
  }

  /** Jobs now in state {@code from} become done when reproduced, queued when not ({@code guard}: more conditions on the row). */
  private Future<Void> decide(List<Long> jobIds, String from, String guard, long now) {
    return reproduced(jobIds).compose(done -> {
      List<Long> open = jobIds.stream().filter(id -> !done.contains(id)).toList();
      Future<Void> first = from.equals("done") ? Future.succeededFuture() : move(List.copyOf(done), from, "done", guard, now);
      return first.compose(v -> from.equals("queued") ? Future.succeededFuture() : move(open, from, "queued", guard, now));
    });
  }

  /** Moves the jobs still in state {@code from} to {@code to}, lease cleared. */
  private Future<Void> move(List<Long> jobIds, String from, String to, String guard, long now) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < jobIds.size(); i += InLists.MAX) {
      List<Long> part = jobIds.subList(i, Math.min(jobIds.size(), i + InLists.MAX));
      List<Object> params = new ArrayList<>(List.of(to, now, from));
      params.addAll(part);
      chain = chain.compose(v -> db.update("UPDATE queue_jobs SET state = ?, holder = NULL, lease_expires_at = NULL, updated_at = ? WHERE state = ?"
          + " AND id IN (" + marks(part.size()) + ")" + guard, params.toArray()).mapEmpty());
    }
    return chain;
  }

  private static String marks(int n) {
    return String.join(", ", Collections.nCopies(n, "?"));
  }

  /**
   * Leases up to {@code pop.max()} jobs to {@code builderId}: the highest priority first, then
   * the oldest. Each round reads a window of candidates, marks done those builders reproduced
   * meanwhile, and claims the others with one UPDATE that re-checks each row is still queued,
   * so two builders popping at once never get the same job (PostgreSQL: the rows are locked
   * with SKIP LOCKED, so a concurrent pop takes the next ones; SQLite runs one writer at a time).
   */
  public Future<List<Job>> pop(long builderId, Pop pop, Optional<Long> jobsetId) {
    return feed().compose(v -> reopen()).compose(v -> settle()).compose(v -> claim(builderId, pop, jobsetId, new ArrayList<>(), ROUNDS));
  }

  private Future<List<Job>> claim(long builderId, Pop pop, Optional<Long> jobsetId, List<Row> claimed, int roundsLeft) {
    int want = pop.max() - claimed.size();
    if (want <= 0 || roundsLeft == 0) {
      return withOutputs(claimed);
    }
    int window = want + SLACK;
    List<Object> params = new ArrayList<>();
    StringBuilder candidates = new StringBuilder("SELECT j.id FROM queue_jobs j WHERE j.state = 'queued'");
    if (pop.system().isPresent()) {
      candidates.append(" AND (j.system IS NULL OR j.system = ?)");
      params.add(pop.system().get().value());
    }
    candidates.append(" AND EXISTS (SELECT 1 FROM queue_job_jobsets m JOIN jobsets js ON js.id = m.jobset_id WHERE m.job_id = j.id AND js.enabled = 1");
    if (jobsetId.isPresent()) {
      candidates.append(" AND js.id = ?");
      params.add(jobsetId.get());
    }
    candidates.append(") AND NOT ").append(attestedBy("j.id"))
        .append(" AND NOT EXISTS (SELECT 1 FROM queue_job_failures f WHERE f.job_id = j.id AND f.user_id = ?)")
        .append(" ORDER BY j.priority DESC, j.id LIMIT ?");
    params.add(builderId);
    params.add(builderId);
    params.add(window);
    long now = System.currentTimeMillis();
    return db.query(candidates.toString(), params.toArray()).compose(rows -> {
      List<Long> ids = ids(rows);
      if (ids.isEmpty()) {
        return withOutputs(claimed);
      }
      return reproduced(ids).compose(done -> {
        List<Long> open = ids.stream().filter(id -> !done.contains(id)).toList();
        return move(List.copyOf(done), "queued", "done", "", now)
            .compose(v -> open.isEmpty() ? Future.succeededFuture(List.<Row>of()) : lease(builderId, open, want, now))
            .compose(got -> {
              claimed.addAll(got);
              // A short window saw every candidate: what was not claimed went to other builders.
              return ids.size() < window ? withOutputs(claimed) : claim(builderId, pop, jobsetId, claimed, roundsLeft - 1);
            });
      });
    });
  }

  /** Claims up to {@code want} of the still-queued {@code open} jobs for the builder. */
  private Future<List<Row>> lease(long builderId, List<Long> open, int want, long now) {
    List<Object> params = new ArrayList<>(List.of(builderId, now + leaseMillis, now));
    params.addAll(open);
    params.add(want);
    String lock = db.dialect() == Dialect.POSTGRESQL ? " FOR UPDATE OF j SKIP LOCKED" : "";
    return db.query("UPDATE queue_jobs SET state = 'leased', holder = ?, lease_expires_at = ?, updated_at = ? WHERE state = 'queued'"
        + " AND id IN (SELECT j.id FROM queue_jobs j WHERE j.state = 'queued' AND j.id IN (" + marks(open.size()) + ")"
        + " ORDER BY j.priority DESC, j.id LIMIT ?" + lock + ") RETURNING id, drv_path, system, priority, lease_expires_at", params.toArray());
  }

  private Future<List<Job>> withOutputs(List<Row> claimed) {
    if (claimed.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Object> ids = claimed.stream().map(r -> (Object) r.getLong("id")).toList();
    return db.query("SELECT qo.job_id, o.path FROM queue_job_outputs qo JOIN outputs o ON o.id = qo.output_id WHERE qo.job_id IN (" + marks(ids.size()) + ")"
        + " ORDER BY o.path", ids.toArray()).map(rows -> {
          Map<Long, List<String>> outputs = new LinkedHashMap<>();
          rows.forEach(r -> outputs.computeIfAbsent(r.getLong("job_id"), k -> new ArrayList<>()).add(r.string("path")));
          // RETURNING gives no order: the claim order is priority, then age (id).
          return claimed.stream().map(r -> new Job(r.getLong("id"), r.string("drv_path"), Optional.ofNullable(r.string("system")),
                  List.copyOf(outputs.getOrDefault(r.getLong("id"), List.of())), (int) r.getLong("priority"), r.getLong("lease_expires_at")))
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
    return feed().compose(v -> reopen()).compose(v -> settle()).compose(v -> db.queryOne("SELECT"
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
