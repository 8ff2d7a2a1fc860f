package dev.cairn.attest;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Database;
import dev.cairn.db.Dialect;
import dev.cairn.db.Migrations;
import dev.cairn.db.TestDatabase;
import dev.cairn.users.User;
import dev.cairn.users.UserName;
import dev.cairn.users.UserService;
import io.vertx.core.Vertx;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Attestations carry no foreign keys since V029 (docs/DEVELOPING.md, Attestations): every
 * write path must still leave only rows whose user, derivation and output exist, revoking a
 * user must keep them, and the migration must keep existing rows and their ids.
 */
class AttestationIntegrityTest {
  private static final String ORPHANS = "SELECT COUNT(*) AS n FROM attestations a WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = a.user_id)"
      + " OR NOT EXISTS (SELECT 1 FROM derivations d WHERE d.id = a.drv_id) OR NOT EXISTS (SELECT 1 FROM outputs o WHERE o.id = a.output_id)";

  private static long count(Database db, String sql) throws Exception {
    return await(db.queryOne(sql)).orElseThrow().getLong("n");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void everyWritePathLeavesOnlyRowsWhoseUserDerivationAndOutputExist(Dialect d) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestDatabase t = TestDatabase.create(vertx, d)) {
      Database db = t.db();
      UserService users = new UserService(db);
      User alice = await(users.create(new UserName("alice"), Optional.empty())).user();
      User bob = await(users.create(new UserName("bob"), Optional.empty())).user();
      AttestationService service = new AttestationService(db, null, StagedBatchTest.TEN_ROWS_PER_TRANSACTION);
      for (AttestationService.Entry e : StagedBatchTest.entries(3, 1)) {   // lila's POST, counted, twice
        await(service.ingest(alice, e.drv(), e.outputs()));
        await(service.ingest(alice, e.drv(), e.outputs()));
      }
      await(service.ingestBatch(bob, StagedBatchTest.entries(8, 1)));    // grouped batch, overlapping the POSTs' outputs
      await(service.ingestBatch(bob, StagedBatchTest.entries(35, 5)));   // staged batch, above ten rows per transaction
      await(users.revoke(new UserName("bob")));          // revoking keeps the user row
      assertEquals(46, count(db, "SELECT COUNT(*) AS n FROM attestations"));
      assertEquals(0, count(db, ORPHANS));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void theMigrationKeepsRowsAndIdsAndDropsTheForeignKeys(Dialect d) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestDatabase t = TestDatabase.create(vertx, d)) {
      Database db = t.db();
      // The table as V004 and V016 made it, with a row whose id is not the first.
      await(db.update("DROP TABLE attestations"));
      run(db, d, 4, "attestations");
      run(db, d, 16, "attestations");
      await(db.update("DELETE FROM schema_migrations WHERE version = 29"));
      User alice = await(new UserService(db).create(new UserName("alice"), Optional.empty())).user();
      await(db.update("INSERT INTO derivations (id, ident, created_at) VALUES (5, 'x.drv', 1)"));
      await(db.update("INSERT INTO outputs (id, path) VALUES (6, '/nix/store/x')"));
      await(db.update("INSERT INTO attestations (user_id, drv_id, output_id, output_hash, output_sig, sig_status, created_at, reports)"
          + " VALUES (?, 5, 6, 'sha256:first', '', 'unverified', 1, 1)", alice.id()));
      long kept = await(db.query("INSERT INTO attestations (user_id, drv_id, output_id, output_hash, output_sig, sig_status, created_at, reports)"
          + " VALUES (?, 5, 6, 'sha256:h', '', 'unverified', 1, 2) RETURNING id", alice.id())).get(0).getLong("id");

      assertEquals(Migrations.latestVersion(), await(Migrations.apply(db)));
      assertEquals(2, count(db, "SELECT reports AS n FROM attestations WHERE id = " + kept + " AND user_id = " + alice.id()
          + " AND drv_id = 5 AND output_id = 6 AND output_hash = 'sha256:h'"));
      // New ids follow the kept ones; the unique key still merges lila's repeated reports.
      long next = await(db.query("INSERT INTO attestations (user_id, drv_id, output_id, output_hash, output_sig, sig_status, created_at)"
          + " VALUES (?, 5, 6, 'sha256:other', '', 'unverified', 1) RETURNING id", alice.id())).get(0).getLong("id");
      assertTrue(next > kept, "id " + next + " after " + kept);
      await(db.update("INSERT INTO attestations (user_id, drv_id, output_id, output_hash, output_sig, sig_status, created_at, reports)"
          + " VALUES (?, 5, 6, 'sha256:h', '', 'unverified', 1, 1)" + AttestSql.onConflict(true), alice.id()));
      assertEquals(3, count(db, "SELECT reports AS n FROM attestations WHERE id = " + kept));
      // No per-row reference check any more: the application keeps them (see the test above).
      await(db.update("INSERT INTO attestations (user_id, drv_id, output_id, output_hash, output_sig, sig_status, created_at)"
          + " VALUES (987654, 987654, 987654, 'sha256:h', '', 'unverified', 1)"));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  /** The statements of a landed migration that concern {@code table}. */
  private static void run(Database db, Dialect d, int version, String table) throws Exception {
    Migrations.Migration m = Migrations.all().stream().filter(x -> x.version() == version).findFirst().orElseThrow();
    for (String statement : m.script(d).replaceAll("(?m)^--.*$", "").split(";")) {
      String s = statement.strip();
      if (s.startsWith("CREATE TABLE " + table + " ") || s.matches("(?s)(CREATE INDEX \\w+ ON|ALTER TABLE) " + table + "\\b.*")) {
        await(db.update(s));
      }
    }
  }
}
