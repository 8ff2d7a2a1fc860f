package dev.cairn.attest;

import dev.cairn.db.Sql;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ids of derivation and output rows, created on first use. They never change once created, so
 * they are cached: a write whose derivation and outputs are known costs no lookup. How the
 * missing ones are created is the dialect's ({@link AttestSql#ids}).
 */
final class RowIds {
  private static final int CACHE_LIMIT = 200_000;

  private final AttestSql sql;
  private final Map<String, Long> derivationIds = new ConcurrentHashMap<>();
  private final Map<String, Long> outputIds = new ConcurrentHashMap<>();

  RowIds(AttestSql sql) {
    this.sql = sql;
  }

  /** Ids of the derivations (idents), creating missing rows with {@code now} as their time; cached at once. */
  Future<Map<String, Long>> derivations(Sql db, Set<String> idents, long now) {
    return ids(db, AttestSql.KeyTable.DERIVATIONS, derivationIds, derivationIds, idents, now);
  }

  /** Ids of the outputs (full paths), creating missing rows; cached at once. Not for use inside a transaction. */
  Future<Map<String, Long>> outputs(Sql db, Set<String> paths, long now) {
    return ids(db, AttestSql.KeyTable.OUTPUTS, outputIds, outputIds, paths, now);
  }

  /**
   * As {@link #outputs}, inside transaction {@code tx}: the ids found go to {@code pending}, to
   * be {@linkplain #publishOutputs published} once the transaction committed, never to the
   * shared cache before (another writer could store an id of a row not yet committed, and a
   * rollback would leave it dangling: attestations have no foreign keys to catch that, see
   * docs/DEVELOPING.md "Attestations").
   */
  Future<Map<String, Long>> outputsInTransaction(Sql tx, Set<String> paths, long now, Map<String, Long> pending) {
    return ids(tx, AttestSql.KeyTable.OUTPUTS, outputIds, pending, paths, now);
  }

  /** Caches output ids found in a transaction that has committed. */
  void publishOutputs(Map<String, Long> committed) {
    committed.forEach((k, id) -> remember(outputIds, k, id));
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

  /** Ids of {@code keys}: the cached ones, and the others from the database, handed to {@code publish}. */
  private Future<Map<String, Long>> ids(Sql db, AttestSql.KeyTable table, Map<String, Long> cache, Map<String, Long> publish, Set<String> keys,
                                        long now) {
    Map<String, Long> found = new HashMap<>(keys.size() * 2);
    List<String> missing = new ArrayList<>();
    for (String k : keys) {
      Long id = cache.get(k);
      if (id != null) {
        found.put(k, id);
      } else {
        missing.add(k);
      }
    }
    if (missing.isEmpty()) {
      return Future.succeededFuture(found);
    }
    return sql.ids(db, table, missing, now).map(fresh -> {
      fresh.forEach((k, id) -> {
        found.put(k, id);
        remember(publish, k, id);
      });
      return found;
    });
  }

  private static void remember(Map<String, Long> cache, String key, long id) {
    if (cache.size() < CACHE_LIMIT) {
      cache.put(key, id);
    }
  }
}
