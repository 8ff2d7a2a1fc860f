package dev.cairn.db;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/**
 * Statements against the metadata database. SQL uses {@code ?} placeholders in both
 * dialects; parameters are {@link String}, {@link Long}/{@link Integer}, {@code byte[]} or null.
 */
public interface Sql {
  Future<List<Row>> query(String sql, Object... params);

  /** Runs an INSERT/UPDATE/DELETE; the future holds the number of rows changed. */
  Future<Long> update(String sql, Object... params);

  /** Runs one statement once per parameter row, in one round trip where the dialect allows. */
  Future<Void> batch(String sql, List<Object[]> rows);

  default Future<Optional<Row>> queryOne(String sql, Object... params) {
    return query(sql, params).map(rows -> rows.isEmpty() ? Optional.<Row>empty() : Optional.of(rows.get(0)));
  }
}
