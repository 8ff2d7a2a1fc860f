package dev.cairn.db;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A query over many values, {@code prefix + "(?, ?, …)"}, run in parts of at most {@link #MAX}
 * values each (side by side), so every statement stays far below the parameter limits of both
 * dialects. The rows come back part by part, in the order of the values' parts.
 */
public final class InLists {
  public static final int MAX = 500;

  private InLists() {}

  /** {@code prefix} ends with {@code IN }; each value is one parameter ({@code String}, {@code Long}, {@code byte[]}). */
  public static Future<List<Row>> query(Sql sql, String prefix, List<?> values) {
    return query(sql, prefix, values, "");
  }

  /** As above, with {@code suffix} after the list ({@code " ORDER BY …"}: each part is ordered on its own). */
  public static Future<List<Row>> query(Sql sql, String prefix, List<?> values, String suffix) {
    List<Future<List<Row>>> parts = new ArrayList<>();
    for (int from = 0; from < values.size(); from += MAX) {
      List<?> part = values.subList(from, Math.min(values.size(), from + MAX));
      parts.add(sql.query(prefix + "(" + String.join(", ", Collections.nCopies(part.size(), "?")) + ")" + suffix, part.toArray()));
    }
    return Future.all(parts).map(done -> {
      List<Row> out = new ArrayList<>();
      for (int i = 0; i < parts.size(); i++) {
        out.addAll(done.<List<Row>>resultAt(i));
      }
      return out;
    });
  }
}
