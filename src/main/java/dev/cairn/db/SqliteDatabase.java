package dev.cairn.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Function;

/**
 * The embedded default: one SQLite file in WAL mode. JDBC blocks, so every statement runs
 * on a bounded worker pool, never on an event loop. SQLite allows one writer at a time:
 * writes and transactions take an async lock and run on the single writer connection;
 * plain queries use a small pool of reader connections that see committed data.
 */
public final class SqliteDatabase implements Database {
  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final Connection writer;
  private final BlockingQueue<Connection> readers;
  private final AsyncMutex writeLock = new AsyncMutex();
  private final Sql writerSql = new WriterSql();

  private SqliteDatabase(Vertx vertx, WorkerExecutor workers, Connection writer, BlockingQueue<Connection> readers) {
    this.vertx = vertx;
    this.workers = workers;
    this.writer = writer;
    this.readers = readers;
  }

  /** Opens (creating if needed) the database file; blocking, call at startup only. */
  public static SqliteDatabase open(Vertx vertx, Path file, int readerCount) throws SQLException {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (java.io.IOException e) {
      throw new SQLException("cannot create directory for " + file + ": " + e.getMessage(), e);
    }
    Connection writer = connect(file);
    try (Statement s = writer.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
    }
    BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(readerCount);
    for (int i = 0; i < readerCount; i++) {
      readers.add(connect(file));
    }
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("cairn-sqlite", readerCount + 1);
    return new SqliteDatabase(vertx, workers, writer, readers);
  }

  private static Connection connect(Path file) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
    try (Statement s = c.createStatement()) {
      // WAL + NORMAL: a crash loses at most the last commits, never consistency.
      s.execute("PRAGMA synchronous=NORMAL");
      s.execute("PRAGMA busy_timeout=10000");
      s.execute("PRAGMA foreign_keys=ON");
    }
    return c;
  }

  @Override
  public Dialect dialect() {
    return Dialect.SQLITE;
  }

  @Override
  public Future<List<Row>> query(String sql, Object... params) {
    if (!isRead(sql)) {
      // INSERT ... RETURNING and friends write: they must hold the write lock.
      return transaction(tx -> tx.query(sql, params));
    }
    return workers.executeBlocking(() -> {
      Connection c = readers.take();
      try {
        return runQuery(c, sql, params);
      } finally {
        readers.add(c);
      }
    }, false);
  }

  private static boolean isRead(String sql) {
    String s = sql.stripLeading();
    return s.regionMatches(true, 0, "SELECT", 0, 6);
  }

  @Override
  public Future<Long> update(String sql, Object... params) {
    return transaction(tx -> tx.update(sql, params));
  }

  @Override
  public Future<Void> batch(String sql, List<Object[]> rows) {
    return transaction(tx -> tx.batch(sql, rows));
  }

  @Override
  public <T> Future<T> transaction(Function<Sql, Future<T>> work) {
    return writeLock.acquire()
        .compose(v -> onWriter(c -> {
          try (Statement s = c.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
          }
          return null;
        }))
        .compose(v -> {
          Future<T> result;
          try {
            result = work.apply(writerSql);
          } catch (RuntimeException e) {
            result = Future.failedFuture(e);
          }
          return result.transform(ar -> ar.succeeded()
              ? onWriter(c -> exec(c, "COMMIT")).map(ar.result())
                  .recover(e -> onWriter(c -> exec(c, "ROLLBACK")).transform(x -> Future.failedFuture(e)))
              : onWriter(c -> exec(c, "ROLLBACK")).transform(x -> Future.<T>failedFuture(ar.cause())));
        })
        .andThen(ar -> writeLock.release());
  }

  private static Void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
    return null;
  }

  private interface WriterWork<T> {
    T run(Connection c) throws Exception;
  }

  private <T> Future<T> onWriter(WriterWork<T> work) {
    return workers.executeBlocking(() -> work.run(writer), true);
  }

  @Override
  public Future<Void> ping() {
    return query("SELECT 1").mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return writeLock.acquire().compose(v -> vertx.executeBlocking(() -> {
      for (Connection c : readers) {
        c.close();
      }
      writer.close();
      return null;
    })).compose(v -> workers.close()).andThen(ar -> writeLock.release());
  }

  /** Statements of the transaction holding the write lock. */
  private final class WriterSql implements Sql {
    @Override
    public Future<List<Row>> query(String sql, Object... params) {
      return onWriter(c -> runQuery(c, sql, params));
    }

    @Override
    public Future<Long> update(String sql, Object... params) {
      return onWriter(c -> {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          bind(ps, params);
          if (ps.execute()) {
            return 0L;
          }
          return (long) ps.getUpdateCount();
        }
      });
    }

    @Override
    public Future<Void> batch(String sql, List<Object[]> rows) {
      if (rows.isEmpty()) {
        return Future.succeededFuture();
      }
      return onWriter(c -> {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          for (Object[] row : rows) {
            bind(ps, row);
            ps.addBatch();
          }
          ps.executeBatch();
        }
        return null;
      });
    }
  }

  private static List<Row> runQuery(Connection c, String sql, Object[] params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, params);
      if (!ps.execute()) {
        return List.of();
      }
      try (ResultSet rs = ps.getResultSet()) {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
          names[i] = md.getColumnLabel(i + 1).toLowerCase(Locale.ROOT);
        }
        List<Row> rows = new ArrayList<>();
        while (rs.next()) {
          Object[] values = new Object[n];
          for (int i = 0; i < n; i++) {
            Object v = rs.getObject(i + 1);
            values[i] = v instanceof Integer integer ? Long.valueOf(integer) : v;
          }
          rows.add(new Row(names, values));
        }
        return rows;
      }
    }
  }

  private static void bind(PreparedStatement ps, Object[] params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object p = params[i];
      if (p == null) {
        ps.setNull(i + 1, java.sql.Types.NULL);
      } else if (p instanceof byte[] bytes) {
        ps.setBytes(i + 1, bytes);
      } else if (p instanceof Boolean b) {
        ps.setLong(i + 1, b ? 1 : 0);
      } else {
        ps.setObject(i + 1, p);
      }
    }
  }
}
