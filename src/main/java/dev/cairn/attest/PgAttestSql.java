package dev.cairn.attest;

import dev.cairn.db.Database;
import dev.cairn.db.Row;
import dev.cairn.db.Sql;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL: rows travel as parallel arrays through {@code unnest}, so a write of any size is
 * one statement with a fixed text (prepared once per connection) and one round trip. Keys are
 * inserted in sorted order, so two writers inserting overlapping keys take row locks in one
 * order and never deadlock.
 */
final class PgAttestSql implements AttestSql {
  private static final String INSERT_ATTESTATIONS = "INSERT INTO attestations (" + ATTESTATION_COLUMNS + ")"
      + " SELECT u, d, o, h, s, n, r, st, c, ?::int8"
      + " FROM unnest(?::int8[], ?::int8[], ?::int8[], ?::text[], ?::text[], ?::int8[], ?::text[], ?::text[], ?::int8[])"
      + " AS t(u, d, o, h, s, n, r, st, c)";
  private static final String INSERT_PLAIN = INSERT_ATTESTATIONS + AttestSql.onConflict(false);
  private static final String INSERT_COUNTED = INSERT_ATTESTATIONS + AttestSql.onConflict(true);

  private static final String REPORT_ROWS = "WITH e AS (INSERT INTO report_edges (version_id, parent_ref, child_ref)"
      + "   SELECT v, p, c FROM unnest(?::int8[], ?::text[], ?::text[]) AS t(v, p, c) RETURNING 1)"
      + " INSERT INTO report_paths (version_id, ref, output_id, drv_path, output)"
      + " SELECT v, r, o, dp, op FROM unnest(?::int8[], ?::text[], ?::int8[], ?::text[], ?::text[]) AS t(v, r, o, dp, op)";

  private static final String STAGE = "INSERT INTO attestation_staging (" + STAGING_COLUMNS + ")"
      + " SELECT b, q, d, p, h, s, n, r, st FROM unnest(?::int8[], ?::int8[], ?::text[], ?::text[], ?::text[], ?::text[],"
      + " ?::int8[], ?::text[], ?::text[]) AS t(b, q, d, p, h, s, n, r, st)";

  @Override
  public Future<Map<String, Long>> ids(Sql sql, KeyTable t, List<String> keys, long now) {
    String[] sorted = keys.stream().sorted().toArray(String[]::new);
    String insert = "INSERT INTO " + t.table + " (" + t.column + (t.timed ? ", created_at" : "") + ") SELECT k" + (t.timed ? ", ?::int8" : "")
        + " FROM unnest(?::text[]) AS t(k) ORDER BY k ON CONFLICT (" + t.column + ") DO NOTHING RETURNING id, " + t.column + " AS k";
    Future<List<Row>> inserted = t.timed ? sql.query(insert, now, sorted) : sql.query(insert, (Object) sorted);
    return inserted.compose(rows -> {
      Map<String, Long> found = new HashMap<>(keys.size() * 2);
      rows.forEach(r -> found.put(r.string("k"), r.getLong("id")));
      if (found.size() == sorted.length) {
        return Future.succeededFuture(found);
      }
      String[] existing = keys.stream().filter(k -> !found.containsKey(k)).toArray(String[]::new);
      return sql.query("SELECT id, " + t.column + " AS k FROM " + t.table + " WHERE " + t.column + " = ANY(?::text[])", (Object) existing)
          .map(sel -> {
            sel.forEach(r -> found.put(r.string("k"), r.getLong("id")));
            return found;
          });
    });
  }

  @Override
  public Future<Void> insertAttestations(Sql sql, List<Object[]> rows, boolean counted, long now) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    Object[] params = new Object[10];
    params[0] = now;
    System.arraycopy(columns(rows, Long.class, Long.class, Long.class, String.class, String.class, Long.class, String.class, String.class,
        Long.class), 0, params, 1, 9);
    return sql.update(counted ? INSERT_COUNTED : INSERT_PLAIN, params).mapEmpty();
  }

  @Override
  public boolean oneStatement(int rows) {
    return true;
  }

  @Override
  public Future<Void> insertReportRows(Sql tx, List<Object[]> paths, List<Object[]> edges) {
    Object[] e = columns(edges, Long.class, String.class, String.class);
    Object[] p = columns(paths, Long.class, String.class, Long.class, String.class, String.class);
    return tx.update(REPORT_ROWS, e[0], e[1], e[2], p[0], p[1], p[2], p[3], p[4]).mapEmpty();
  }

  @Override
  public Future<Void> stage(Database db, List<Object[]> rows) {
    return db.update(STAGE, columns(rows, Long.class, Long.class, String.class, String.class, String.class, String.class, Long.class,
        String.class, String.class)).mapEmpty();
  }

  /** Rows turned into one array per column, typed as the statement's {@code ?::type[]} casts. */
  private static Object[] columns(List<Object[]> rows, Class<?>... types) {
    int n = rows.size();
    Object[][] cols = new Object[types.length][];
    for (int c = 0; c < types.length; c++) {
      cols[c] = (Object[]) java.lang.reflect.Array.newInstance(types[c], n);
    }
    for (int i = 0; i < n; i++) {
      Object[] row = rows.get(i);
      for (int c = 0; c < types.length; c++) {
        cols[c][i] = row[c];
      }
    }
    return cols;
  }
}
