package dev.cairn.db;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseTest {
  private Vertx vertx;
  private final java.util.Map<Dialect, TestDatabase> dbs = new java.util.EnumMap<>(Dialect.class);

  @BeforeAll
  void open() throws Exception {
    vertx = Vertx.vertx();
    for (Dialect d : Dialect.values()) {
      TestDatabase t = TestDatabase.create(vertx, d);
      await(t.db().update(d.render("CREATE TABLE items (id {{ID}}, name TEXT NOT NULL UNIQUE, payload {{BYTES}}, n {{BIGINT}})")));
      dbs.put(d, t);
    }
  }

  @AfterAll
  void close() throws Exception {
    for (TestDatabase t : dbs.values()) {
      t.close();
    }
    await(vertx.close());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void roundTripsTextBytesAndIntegers(Dialect d) throws Exception {
    Database db = dbs.get(d).db();
    byte[] payload = {0, 1, (byte) 0xff};
    List<Row> inserted = await(db.query("INSERT INTO items (name, payload, n) VALUES (?, ?, ?) RETURNING id", "rt-" + d, payload, 1L << 40));
    long id = inserted.get(0).getLong("id");
    Row row = await(db.queryOne("SELECT name, payload, n FROM items WHERE id = ?", id)).orElseThrow();
    assertEquals("rt-" + d, row.string("name"));
    assertArrayEquals(payload, row.bytes("payload"));
    assertEquals(1L << 40, row.getLong("n"));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void failedTransactionLeavesNothing(Dialect d) throws Exception {
    Database db = dbs.get(d).db();
    assertThrows(Exception.class, () -> await(db.transaction(tx -> tx.update("INSERT INTO items (name) VALUES (?)", "tx-" + d)
        .compose(v -> tx.update("INSERT INTO items (name) VALUES (?)", "tx-" + d)))));
    assertTrue(await(db.query("SELECT id FROM items WHERE name = ?", "tx-" + d)).isEmpty());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void batchInsertsEveryRowAndConflictsAreIgnored(Dialect d) throws Exception {
    Database db = dbs.get(d).db();
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      rows.add(new Object[] {"batch-" + d + "-" + (i % 250), (long) i});
    }
    await(db.batch("INSERT INTO items (name, n) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", rows));
    assertEquals(250L, await(db.query("SELECT COUNT(*) AS c FROM items WHERE name LIKE ?", "batch-" + d + "-%")).get(0).getLong("c"));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void concurrentTransactionsDoNotInterleave(Dialect d) throws Exception {
    Database db = dbs.get(d).db();
    await(db.update("INSERT INTO items (name, n) VALUES (?, 0)", "counter-" + d));
    List<Future<Long>> all = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      all.add(db.transaction(tx -> tx.queryOne("SELECT n FROM items WHERE name = ?" + (d == Dialect.POSTGRESQL ? " FOR UPDATE" : ""), "counter-" + d)
          .compose(r -> tx.update("UPDATE items SET n = ? WHERE name = ?", r.orElseThrow().getLong("n") + 1, "counter-" + d))));
    }
    await(Future.all(all));
    assertEquals(40L, await(db.queryOne("SELECT n FROM items WHERE name = ?", "counter-" + d)).orElseThrow().getLong("n"));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void migrationsAreRecordedAndReapplyingIsANoOp(Dialect d) throws Exception {
    Database db = dbs.get(d).db();
    assertEquals(Migrations.latestVersion(), await(Migrations.currentVersion(db)));
    assertEquals(Migrations.latestVersion(), await(Migrations.apply(db)));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void refusesDatabaseNewerThanTheCode(Dialect d) throws Exception {
    try (TestDatabase fresh = TestDatabase.create(vertx, d)) {
      await(fresh.db().update("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", 9999, "future", 0L));
      Exception e = assertThrows(Exception.class, () -> await(Migrations.apply(fresh.db())));
      assertTrue(e.getCause().getMessage().contains("version 9999"), e.getCause().getMessage());
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void pingSucceeds(Dialect d) throws Exception {
    await(dbs.get(d).db().ping());
  }
}
