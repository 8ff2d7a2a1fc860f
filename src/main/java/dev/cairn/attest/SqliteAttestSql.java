package dev.cairn.attest;

import dev.cairn.db.Database;
import dev.cairn.db.InLists;
import dev.cairn.db.Row;
import dev.cairn.db.Sql;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SQLite: no arrays, so rows go in as multi-row {@code VALUES} lists of at most {@link
 * #ROWS_PER_INSERT} rows (far below the 32,766 parameters of a statement), keys in the order
 * given, which is the order their ids are assigned in (lila's {@code GET /derivations} lists
 * derivations in that order). SQLite has one writer, so there is no lock order to keep.
 */
final class SqliteAttestSql implements AttestSql {
  private static final int ROWS_PER_INSERT = 1000;
  private static final int KEYS_PER_INSERT = InLists.MAX;

  private static final String STAGE = "INSERT INTO attestation_staging (" + STAGING_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

  @Override
  public Future<Map<String, Long>> ids(Sql sql, KeyTable t, List<String> keys, long now) {
    List<Future<List<Row>>> inserted = new ArrayList<>();
    for (int from = 0; from < keys.size(); from += KEYS_PER_INSERT) {
      List<String> part = keys.subList(from, Math.min(keys.size(), from + KEYS_PER_INSERT));
      String values = String.join(", ", Collections.nCopies(part.size(), t.timed ? "(?, ?)" : "(?)"));
      List<Object> params = new ArrayList<>(part.size() * 2);
      for (String k : part) {
        params.add(k);
        if (t.timed) {
          params.add(now);
        }
      }
      inserted.add(sql.query("INSERT INTO " + t.table + " (" + t.column + (t.timed ? ", created_at" : "") + ") VALUES " + values
          + " ON CONFLICT (" + t.column + ") DO NOTHING RETURNING id, " + t.column + " AS k", params.toArray()));
    }
    return Future.all(inserted).compose(all -> {
      Map<String, Long> found = new HashMap<>(keys.size() * 2);
      for (int i = 0; i < all.size(); i++) {
        all.<List<Row>>resultAt(i).forEach(r -> found.put(r.string("k"), r.getLong("id")));
      }
      if (found.size() == keys.size()) {
        return Future.succeededFuture(found);
      }
      List<String> existing = keys.stream().filter(k -> !found.containsKey(k)).toList();
      return InLists.query(sql, "SELECT id, " + t.column + " AS k FROM " + t.table + " WHERE " + t.column + " IN ", existing).map(rows -> {
        rows.forEach(r -> found.put(r.string("k"), r.getLong("id")));
        return found;
      });
    });
  }

  @Override
  public Future<Void> insertAttestations(Sql sql, List<Object[]> rows, boolean counted, long now) {
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < rows.size(); from += ROWS_PER_INSERT) {
      List<Object[]> part = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_INSERT));
      chain = chain.compose(v -> insertPart(sql, part, counted, now));
    }
    return chain;
  }

  private static Future<Void> insertPart(Sql sql, List<Object[]> rows, boolean counted, long now) {
    String values = String.join(", ", Collections.nCopies(rows.size(), "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    Object[] params = new Object[rows.size() * 10];
    for (int r = 0; r < rows.size(); r++) {
      System.arraycopy(rows.get(r), 0, params, r * 10, 9);
      params[r * 10 + 9] = now;
    }
    return sql.update("INSERT INTO attestations (" + ATTESTATION_COLUMNS + ") VALUES " + values + AttestSql.onConflict(counted), params)
        .mapEmpty();
  }

  @Override
  public boolean oneStatement(int rows) {
    return rows <= ROWS_PER_INSERT;
  }

  @Override
  public Future<Void> insertReportRows(Sql tx, List<Object[]> paths, List<Object[]> edges) {
    return tx.batch("INSERT INTO report_paths (version_id, ref, output_id, drv_path, output) VALUES (?, ?, ?, ?, ?)", paths)
        .compose(x -> tx.batch("INSERT INTO report_edges (version_id, parent_ref, child_ref) VALUES (?, ?, ?)", edges));
  }

  @Override
  public Future<Void> stage(Database db, List<Object[]> rows) {
    return db.transaction(tx -> tx.batch(STAGE, rows));
  }
}
