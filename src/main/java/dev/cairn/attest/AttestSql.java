package dev.cairn.attest;

import dev.cairn.db.Database;
import dev.cairn.db.Dialect;
import dev.cairn.db.Sql;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * The one place where the attest capability's SQL differs between the two dialects: how many
 * rows travel in one statement. PostgreSQL ({@link PgAttestSql}) passes rows as parallel arrays
 * through {@code unnest}, so a write of any size is one statement; SQLite ({@link
 * SqliteAttestSql}) has no arrays and takes multi-row {@code VALUES} lists of bounded size.
 * Everything else (what is written, in which transaction, caching of ids) is common code in
 * {@link AttestationWriter}, {@link RowIds}, {@link ReportStore} and {@link StagedBatch}.
 */
interface AttestSql {
  static AttestSql of(Database db) {
    return db.dialect() == Dialect.POSTGRESQL ? new PgAttestSql() : new SqliteAttestSql();
  }

  /** A table of rows named by a unique text key whose ids never change: derivations by ident, outputs by path. */
  enum KeyTable {
    DERIVATIONS("derivations", "ident", true),
    OUTPUTS("outputs", "path", false);

    final String table;
    final String column;
    /** Whether rows carry a {@code created_at}. */
    final boolean timed;

    KeyTable(String table, String column, boolean timed) {
      this.table = table;
      this.column = column;
      this.timed = timed;
    }
  }

  /**
   * Ids of {@code keys} (none of them known to the caller), inserting the missing rows with
   * {@code DO NOTHING} (no existing row is locked, so concurrent foreign-key checks on it never
   * wait) and then selecting the ones that existed in a separate statement, which sees rows a
   * concurrent writer committed meanwhile.
   */
  Future<Map<String, Long>> ids(Sql sql, KeyTable table, List<String> keys, long now);

  /**
   * One attestation row: {user, drv, output, hash, sig, nar_size, refs, sig_status, reports}.
   * {@code counted} rows add their {@code reports} to an existing row (lila's POST counts
   * every report); the others leave an existing row alone (a repeated batch is a no-op).
   */
  Future<Void> insertAttestations(Sql sql, List<Object[]> rows, boolean counted, long now);

  /** Whether {@link #insertAttestations} writes {@code rows} rows in one statement, hence atomically without a transaction. */
  boolean oneStatement(int rows);

  /** A new report version's paths {version, ref, output id, drv path, output} and edges {version, parent, child}. */
  Future<Void> insertReportRows(Sql tx, List<Object[]> paths, List<Object[]> edges);

  /** One part of a staged batch into {@code attestation_staging} (see {@link StagedBatch}), atomically. */
  Future<Void> stage(Database db, List<Object[]> rows);

  /** The conflict clause of an attestation insert; see {@link #insertAttestations}. */
  static String onConflict(boolean counted) {
    return counted ? " ON CONFLICT (output_id, user_id, output_hash) DO UPDATE SET reports = attestations.reports + excluded.reports"
        : " ON CONFLICT (output_id, user_id, output_hash) DO NOTHING";
  }

  String ATTESTATION_COLUMNS = "user_id, drv_id, output_id, output_hash, output_sig, nar_size, refs, sig_status, reports, created_at";
  String STAGING_COLUMNS = "batch_id, seq, drv_ident, path, output_hash, output_sig, nar_size, refs, sig_status";
}
