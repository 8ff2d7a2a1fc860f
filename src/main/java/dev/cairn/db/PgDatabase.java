package dev.cairn.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** PostgreSQL through vertx-pg-client: non-blocking, pooled, prepared statements cached. */
public final class PgDatabase implements Database {
  private static final ConcurrentHashMap<String, String> PLACEHOLDERS = new ConcurrentHashMap<>();
  private final Pool pool;
  private final Sql poolSql;

  private PgDatabase(Pool pool) {
    this.pool = pool;
    this.poolSql = new ClientSql(pool);
  }

  /** {@code url} is {@code postgresql://user[:password]@host[:port]/database}. */
  public static PgDatabase open(Vertx vertx, String url, int poolSize) {
    PgConnectOptions connect = PgConnectOptions.fromUri(url).setCachePreparedStatements(true).setPipeliningLimit(256);
    Pool pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(poolSize).setName("cairn-pg"))
        .connectingTo(connect)
        .using(vertx)
        .build();
    return new PgDatabase(pool);
  }

  @Override
  public Dialect dialect() {
    return Dialect.POSTGRESQL;
  }

  @Override
  public Future<List<Row>> query(String sql, Object... params) {
    return poolSql.query(sql, params);
  }

  @Override
  public Future<Long> update(String sql, Object... params) {
    return poolSql.update(sql, params);
  }

  @Override
  public Future<Void> batch(String sql, List<Object[]> rows) {
    return poolSql.batch(sql, rows);
  }

  @Override
  public <T> Future<T> transaction(Function<Sql, Future<T>> work) {
    return pool.withTransaction(conn -> work.apply(new ClientSql(conn)));
  }

  @Override
  public Future<Void> ping() {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return pool.close();
  }

  /** Rewrites {@code ?} placeholders to PostgreSQL's {@code $n}, leaving quoted text alone. */
  static String numbered(String sql) {
    return PLACEHOLDERS.computeIfAbsent(sql, s -> {
      StringBuilder out = new StringBuilder(s.length() + 16);
      int n = 0;
      boolean quoted = false;
      for (int i = 0; i < s.length(); i++) {
        char ch = s.charAt(i);
        if (ch == '\'') {
          quoted = !quoted;
        }
        if (ch == '?' && !quoted) {
          out.append('$').append(++n);
        } else {
          out.append(ch);
        }
      }
      return out.toString();
    });
  }

  private static Tuple tuple(Object[] params) {
    Object[] converted = new Object[params.length];
    for (int i = 0; i < params.length; i++) {
      Object p = params[i];
      converted[i] = p instanceof byte[] bytes ? Buffer.buffer(bytes) : p;
    }
    return Tuple.wrap(converted);
  }

  private static List<Row> rows(RowSet<io.vertx.sqlclient.Row> set) {
    List<String> columns = set.columnsNames();
    if (columns == null) {
      return List.of();
    }
    String[] names = new String[columns.size()];
    for (int i = 0; i < names.length; i++) {
      names[i] = columns.get(i).toLowerCase(Locale.ROOT);
    }
    List<Row> out = new ArrayList<>(set.size());
    for (io.vertx.sqlclient.Row r : set) {
      Object[] values = new Object[names.length];
      for (int i = 0; i < names.length; i++) {
        Object v = r.getValue(i);
        if (v instanceof Buffer buffer) {
          v = buffer.getBytes();
        } else if (v instanceof Integer || v instanceof Short) {
          v = ((Number) v).longValue();
        }
        values[i] = v;
      }
      out.add(new Row(names, values));
    }
    return out;
  }

  private record ClientSql(SqlClient client) implements Sql {
    @Override
    public Future<List<Row>> query(String sql, Object... params) {
      return client.preparedQuery(numbered(sql)).execute(tuple(params)).map(PgDatabase::rows);
    }

    @Override
    public Future<Long> update(String sql, Object... params) {
      return client.preparedQuery(numbered(sql)).execute(tuple(params)).map(set -> (long) set.rowCount());
    }

    @Override
    public Future<Void> batch(String sql, List<Object[]> rows) {
      if (rows.isEmpty()) {
        return Future.succeededFuture();
      }
      List<Tuple> tuples = new ArrayList<>(rows.size());
      for (Object[] row : rows) {
        tuples.add(tuple(row));
      }
      return client.preparedQuery(numbered(sql)).executeBatch(tuples).mapEmpty();
    }
  }
}
