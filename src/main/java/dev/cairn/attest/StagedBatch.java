package dev.cairn.attest;

import dev.cairn.db.Database;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a large batch of attestations without holding the database's writer for the whole
 * batch, while staying all-or-nothing to the client.
 *
 * <p>Why: SQLite has one writer. A 400,000-row batch written in one transaction held it for
 * 80 s and every other builder's POST waited behind it. How:
 * <ol>
 *   <li>a batch row is created (and batches abandoned over an hour ago are swept);</li>
 *   <li>the rows go into {@code attestation_staging} in parts of
 *       {@code attest.batch_transaction_rows}, each part its own short transaction, so other
 *       writers' transactions interleave between parts (the SQLite writer lock is FIFO);
 *       no reader ever queries the staging table, so a half-staged batch is invisible;</li>
 *   <li>one transaction publishes the batch with set-based statements inside the database
 *       (missing derivations and outputs, then the attestations in staging order, then the
 *       staging rows are deleted): no parameters travel, so it is short even at the cap;</li>
 *   <li>on any failure the staged rows are deleted and the client gets the error: nothing of
 *       the batch is visible, as if it had been one transaction.</li>
 * </ol>
 * The statements are idempotent ({@code ON CONFLICT DO NOTHING}), so posting the same batch
 * again changes nothing, as for the small-batch path.
 */
final class StagedBatch {
  /** Staged rows older than this belong to a batch whose request died; they are swept. */
  private static final long ABANDONED_AFTER_MILLIS = 3_600_000L;

  private final Database db;
  private final AttestSql sql;
  private final int rowsPerTransaction;

  StagedBatch(Database db, AttestSql sql, int rowsPerTransaction) {
    this.db = db;
    this.sql = sql;
    this.rowsPerTransaction = rowsPerTransaction;
  }

  /** The rows of one checked batch, in the order they were posted. */
  Future<Void> write(long userId, List<AttestationService.Entry> entries, List<SigStatus> statuses) {
    long now = System.currentTimeMillis();
    List<Object[]> rows = new ArrayList<>(statuses.size());
    int i = 0;
    for (AttestationService.Entry e : entries) {
      for (OutputAttestation o : e.outputs()) {
        rows.add(new Object[] {null, (long) i, e.drv().value(), o.path().fullPath(), o.hash().text(), o.signatureText(),
            o.narSize().orElse(null), AttestationWriter.refsText(o), statuses.get(i).dbValue()});
        i++;
      }
    }
    return sweep(now)
        .compose(v -> db.query("INSERT INTO attestation_batches (user_id, created_at) VALUES (?, ?) RETURNING id", userId, now))
        .map(r -> r.get(0).getLong("id"))
        .compose(batchId -> stage(batchId, rows, 0)
            .compose(v -> publish(batchId, userId, now))
            .recover(e -> discard(batchId).transform(x -> Future.failedFuture(e))));
  }

  private Future<Void> stage(long batchId, List<Object[]> rows, int from) {
    if (from >= rows.size()) {
      return Future.succeededFuture();
    }
    List<Object[]> part = new ArrayList<>(rows.subList(from, Math.min(rows.size(), from + rowsPerTransaction)));
    part.forEach(r -> r[0] = batchId);
    return sql.stage(db, part).compose(v -> stage(batchId, rows, from + part.size()));
  }

  private Future<Void> publish(long batchId, long userId, long now) {
    // CAST: PostgreSQL cannot infer a parameter's type in a SELECT list. ORDER BY key: two
    // writers inserting overlapping keys on PostgreSQL take row locks in one order, never a deadlock.
    return db.transaction(tx -> tx.update("INSERT INTO derivations (ident, created_at) SELECT DISTINCT drv_ident, CAST(? AS BIGINT)"
            + " FROM attestation_staging WHERE batch_id = ? ORDER BY drv_ident ON CONFLICT (ident) DO NOTHING", now, batchId)
        .compose(v -> tx.update("INSERT INTO outputs (path) SELECT DISTINCT path FROM attestation_staging WHERE batch_id = ?"
            + " ORDER BY path ON CONFLICT (path) DO NOTHING", batchId))
        .compose(v -> tx.update("INSERT INTO attestations (user_id, drv_id, output_id, output_hash, output_sig, nar_size, refs, sig_status,"
            + " created_at) SELECT CAST(? AS BIGINT), d.id, o.id, s.output_hash, s.output_sig, s.nar_size, s.refs, s.sig_status, CAST(? AS BIGINT)"
            + " FROM attestation_staging s JOIN derivations d ON d.ident = s.drv_ident JOIN outputs o ON o.path = s.path"
            + " WHERE s.batch_id = ? ORDER BY s.seq" + AttestSql.onConflict(false), userId, now, batchId))
        .compose(v -> tx.update("DELETE FROM attestation_staging WHERE batch_id = ?", batchId))
        .compose(v -> tx.update("DELETE FROM attestation_batches WHERE id = ?", batchId))
        .mapEmpty());
  }

  private Future<Void> discard(long batchId) {
    return db.transaction(tx -> tx.update("DELETE FROM attestation_staging WHERE batch_id = ?", batchId)
        .compose(v -> tx.update("DELETE FROM attestation_batches WHERE id = ?", batchId))).mapEmpty();
  }

  private Future<Void> sweep(long now) {
    long before = now - ABANDONED_AFTER_MILLIS;
    return db.transaction(tx -> tx.update("DELETE FROM attestation_staging WHERE batch_id IN (SELECT id FROM attestation_batches"
            + " WHERE created_at < ?)", before)
        .compose(v -> tx.update("DELETE FROM attestation_batches WHERE created_at < ?", before))).mapEmpty();
  }
}
