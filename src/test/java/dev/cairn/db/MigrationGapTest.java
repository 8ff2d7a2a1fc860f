package dev.cairn.db;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MigrationGapTest {
  /** A database migrated while V010 was on main and V009 (garbage collection) was not yet. */
  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aMigrationThatLandedAfterALaterOneIsStillApplied(Dialect d) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestDatabase t = TestDatabase.create(vertx, d)) {
      Database db = t.db();
      await(db.update("DROP TABLE gc_pins"));
      await(db.update("DROP TABLE gc_lease"));
      await(db.update("ALTER TABLE directories DROP COLUMN created_at"));
      await(db.update("DELETE FROM schema_migrations WHERE version = 9"));

      assertEquals(Migrations.latestVersion(), await(Migrations.apply(db)));
      assertEquals(1, await(db.query("SELECT COUNT(*) AS n FROM schema_migrations WHERE version = 9")).get(0).getLong("n"));
      assertEquals(0, await(db.query("SELECT COUNT(*) AS n FROM gc_pins")).get(0).getLong("n"));
      await(db.update("INSERT INTO directories (digest, data, created_at) VALUES (?, ?, ?)", new byte[32], new byte[0], 1L));
    } finally {
      await(vertx.close());
    }
  }
}
