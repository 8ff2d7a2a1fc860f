package dev.cairn.attest;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cairn.db.Database;
import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.StorePath;
import dev.cairn.users.User;
import dev.cairn.users.UserName;
import dev.cairn.users.UserService;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A batch written in parts is published whole or not at all, and abandoned parts are swept. */
class StagedBatchTest {
  static final InputLimits TEN_ROWS_PER_TRANSACTION = new InputLimits(1 << 20, 1000, 10, 10, 2048, 1 << 20, 10, 1000, 1000);

  /** {@code n} entries of one output each, fresh paths and derivations per {@code salt}. */
  static List<AttestationService.Entry> entries(int n, int salt) {
    List<AttestationService.Entry> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StorePath path = StorePath.parseBaseName(ReportScaleTest.hashPart(i, salt) + "-staged");
      out.add(new AttestationService.Entry(DrvIdent.parse(ReportScaleTest.hashPart(i, salt + 1) + "-staged"), List.of(new OutputAttestation(OutputPath.of(path),
          new OutputHash.Nar(Hash.of(HashAlgorithm.SHA256, new byte[32])), Optional.empty(), "", Optional.empty(), Optional.empty()))));
    }
    return out;
  }

  private static long count(Database db, String table) throws Exception {
    return await(db.queryOne("SELECT COUNT(*) AS n FROM " + table)).orElseThrow().getLong("n");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aBatchLargerThanOneTransactionIsPublishedWholeAndAbandonedPartsAreSwept(Dialect d) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestDatabase t = TestDatabase.create(vertx, d)) {
      Database db = t.db();
      User user = await(new UserService(db).create(new UserName("stager"), Optional.empty())).user();
      // A batch whose request died two hours ago, midway through staging.
      long old = System.currentTimeMillis() - 7_200_000L;
      long abandoned = await(db.query("INSERT INTO attestation_batches (user_id, created_at) VALUES (?, ?) RETURNING id", user.id(), old))
          .get(0).getLong("id");
      await(db.update("INSERT INTO attestation_staging (batch_id, seq, drv_ident, path, output_hash, output_sig, sig_status)"
          + " VALUES (?, 0, 'x', 'y', 'z', '', 'unverified')", abandoned));
      AttestationService service = new AttestationService(db, null, TEN_ROWS_PER_TRANSACTION);
      assertEquals(35, await(service.ingestBatch(user, entries(35, 1))));
      assertEquals(35, count(db, "attestations"));
      assertEquals(35, count(db, "derivations"));
      assertEquals(0, count(db, "attestation_staging"), "published and swept");
      assertEquals(0, count(db, "attestation_batches"));
      // Idempotent: the same batch again adds nothing.
      assertEquals(35, await(service.ingestBatch(user, entries(35, 1))));
      assertEquals(35, count(db, "attestations"));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aBatchThatFailsWhenPublishedLeavesNothingBehind(Dialect d) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestDatabase t = TestDatabase.create(vertx, d)) {
      Database db = t.db();
      User user = await(new UserService(db).create(new UserName("stager"), Optional.empty())).user();
      // Without the attestations table, the publishing transaction fails after every part was staged.
      await(db.update("ALTER TABLE attestations RENAME TO attestations_away"));
      AttestationService service = new AttestationService(db, null, TEN_ROWS_PER_TRANSACTION);
      assertThrows(ExecutionException.class, () -> await(service.ingestBatch(user, entries(35, 3))));
      await(db.update("ALTER TABLE attestations_away RENAME TO attestations"));
      for (String table : new String[] {"attestations", "derivations", "outputs", "attestation_staging", "attestation_batches"}) {
        assertEquals(0, count(db, table), table);
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }
}
