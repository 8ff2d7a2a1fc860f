package dev.cairn.attest;

import dev.cairn.db.Database;
import dev.cairn.db.Dialect;
import dev.cairn.db.Row;
import dev.cairn.db.Sql;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ids of derivation and output rows, created on first use. They never change once created, so
 * they are cached: a write whose derivation and outputs are known costs no lookup. The one
 * place where the two dialects differ in how the ids are found: PostgreSQL passes the keys as
 * one array (sorted, so that two writers cannot deadlock), SQLite as chunked multi-row upserts
 * in the order given (which is the order its ids are assigned in).
 */
final class RowIds {
  /** IN-lists are chunked to stay far below SQLite's and PostgreSQL's parameter limits. */
  private static final int IN_CHUNK = 500;
  private static final int CACHE_LIMIT = 200_000;

  private final Dialect dialect;
  private final Map<String, Long> derivationIds = new ConcurrentHashMap<>();
  private final Map<String, Long> outputIds = new ConcurrentHashMap<>();

  RowIds(Database db) {
    this.dialect = db.dialect();
  }

  /** Ids of the derivations (idents), creating missing rows with {@code now} as their time; cached at once. */
  Future<Map<String, Long>> derivations(Sql sql, Set<String> idents, long now) {
    return dialect == Dialect.POSTGRESQL ? idsPg(sql, "derivations", "ident", derivationIds, derivationIds, new TreeSet<>(idents), now)
        : idsSqlite(sql, "derivations", "ident", derivationIds, idents, now);
  }

  /** Ids of the outputs (full paths), creating missing rows; cached at once. Not for use inside a transaction. */
  Future<Map<String, Long>> outputs(Sql sql, Set<String> paths, long now) {
    return dialect == Dialect.POSTGRESQL ? idsPg(sql, "outputs", "path", outputIds, outputIds, new TreeSet<>(paths), now)
        : idsSqlite(sql, "outputs", "path", outputIds, paths, now);
  }

  /**
   * As {@link #outputs}, inside transaction {@code tx}: the ids found go to {@code pending}, to
   * be {@linkplain #publishOutputs published} once the transaction committed, never to the
   * shared cache before (another writer using an id of a row not yet committed fails its
   * foreign-key check, and a rollback would leave a dangling id behind).
   */
  Future<Map<String, Long>> outputsInTransaction(Sql tx, Set<String> paths, long now, Map<String, Long> pending) {
    return dialect == Dialect.POSTGRESQL ? idsPg(tx, "outputs", "path", outputIds, pending, new TreeSet<>(paths), now)
        : idsSqlite(tx, "outputs", "path", pending, paths, now);
  }

  /** Caches output ids found in a transaction that has committed. */
  void publishOutputs(Map<String, Long> committed) {
    committed.forEach((k, id) -> {
      if (outputIds.size() < CACHE_LIMIT) {
        outputIds.put(k, id);
      }
    });
  }

  /** Records placeholder outputs (path → digest) as not store paths, once. */
  static Future<Void> markPlaceholders(Sql sql, Map<String, String> placeholders) {
    if (placeholders.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Object[]> rows = new ArrayList<>();
    placeholders.forEach((path, digest) -> rows.add(new Object[] {digest, path}));
    return sql.batch("UPDATE outputs SET placeholder_digest = ? WHERE path = ? AND placeholder_digest IS NULL", rows).mapEmpty();
  }

  /**
   * PostgreSQL: ids for the keys, inserting the missing ones in sorted order with {@code DO
   * NOTHING} (two writers inserting overlapping keys cannot deadlock, and no existing row is
   * locked, so concurrent foreign-key checks on it never wait), then selecting the ones that
   * existed: a separate statement, so it sees rows a concurrent writer committed meanwhile.
   * {@code publish} receives the ids found.
   */
  private static Future<Map<String, Long>> idsPg(Sql sql, String table, String column, Map<String, Long> cache, Map<String, Long> publish,
                                                 Set<String> sortedKeys, long now) {
    Map<String, Long> found = new HashMap<>();
    List<String> missing = uncached(sortedKeys, cache, found);
    if (missing.isEmpty()) {
      return Future.succeededFuture(found);
    }
    boolean withTime = table.equals("derivations");
    String insert = "INSERT INTO " + table + " (" + column + (withTime ? ", created_at" : "") + ") SELECT k" + (withTime ? ", ?::int8" : "")
        + " FROM unnest(?::text[]) AS t(k) ORDER BY k ON CONFLICT (" + column + ") DO NOTHING RETURNING id, " + column + " AS k";
    String[] keys = missing.toArray(new String[0]);
    Future<List<Row>> inserted = withTime ? sql.query(insert, now, keys) : sql.query(insert, (Object) keys);
    return inserted.compose(rows -> {
      rows.forEach(r -> remember(found, publish, r.string("k"), r.getLong("id")));
      String[] existing = missing.stream().filter(k -> !found.containsKey(k)).toArray(String[]::new);
      if (existing.length == 0) {
        return Future.succeededFuture(found);
      }
      return sql.query("SELECT id, " + column + " AS k FROM " + table + " WHERE " + column + " = ANY(?::text[])", (Object) existing).map(sel -> {
        sel.forEach(r -> remember(found, publish, r.string("k"), r.getLong("id")));
        return found;
      });
    });
  }

  /** Puts the cached ids of {@code keys} into {@code found} and returns the keys without one, in order. */
  private static List<String> uncached(Set<String> keys, Map<String, Long> cache, Map<String, Long> found) {
    List<String> missing = new ArrayList<>();
    for (String k : keys) {
      Long id = cache.get(k);
      if (id != null) {
        found.put(k, id);
      } else {
        missing.add(k);
      }
    }
    return missing;
  }

  /**
   * Ids for the given keys, creating missing rows with one multi-row upsert; the ids never
   * change once created, so they are cached. Rows that already existed (not RETURNed by
   * {@code DO NOTHING}) are selected in a second statement.
   */
  private static Future<Map<String, Long>> idsSqlite(Sql sql, String table, String column, Map<String, Long> cache, Set<String> keys, long now) {
    Map<String, Long> found = new HashMap<>();
    List<String> missing = uncached(keys, cache, found);
    if (missing.isEmpty()) {
      return Future.succeededFuture(found);
    }
    boolean withTime = table.equals("derivations");
    List<Future<List<Row>>> inserted = new ArrayList<>();
    for (int from = 0; from < missing.size(); from += IN_CHUNK) {
      List<String> part = missing.subList(from, Math.min(missing.size(), from + IN_CHUNK));
      StringBuilder stmt = new StringBuilder("INSERT INTO ").append(table).append(" (").append(column).append(withTime ? ", created_at" : "")
          .append(") VALUES ");
      List<Object> params = new ArrayList<>();
      for (int i = 0; i < part.size(); i++) {
        stmt.append(i == 0 ? "" : ", ").append(withTime ? "(?, ?)" : "(?)");
        params.add(part.get(i));
        if (withTime) {
          params.add(now);
        }
      }
      stmt.append(" ON CONFLICT (").append(column).append(") DO NOTHING RETURNING id, ").append(column).append(" AS k");
      inserted.add(sql.query(stmt.toString(), params.toArray()));
    }
    return Future.all(inserted).compose(all -> {
      for (int i = 0; i < all.size(); i++) {
        for (Row r : all.<List<Row>>resultAt(i)) {
          remember(found, cache, r.string("k"), r.getLong("id"));
        }
      }
      List<String> existing = missing.stream().filter(k -> !found.containsKey(k)).toList();
      if (existing.isEmpty()) {
        return Future.succeededFuture(found);
      }
      return dev.cairn.db.InLists.query(sql, "SELECT id, " + column + " AS k FROM " + table + " WHERE " + column + " IN ", existing).map(rows -> {
        rows.forEach(r -> remember(found, cache, r.string("k"), r.getLong("id")));
        return found;
      });
    });
  }

  private static void remember(Map<String, Long> found, Map<String, Long> cache, String key, long id) {
    found.put(key, id);
    if (cache.size() < CACHE_LIMIT) {
      cache.put(key, id);
    }
  }
}
