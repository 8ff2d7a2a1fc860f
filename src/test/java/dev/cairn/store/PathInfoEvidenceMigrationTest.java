package dev.cairn.store;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.castore.PathComponent;
import dev.cairn.castore.SymlinkNode;
import dev.cairn.castore.SymlinkTarget;
import dev.cairn.db.Database;
import dev.cairn.db.Dialect;
import dev.cairn.db.Migrations;
import dev.cairn.db.TestDatabase;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.NarInfo;
import dev.cairn.nix.Signature;
import dev.cairn.nix.StorePath;
import dev.cairn.users.UserName;
import dev.cairn.users.UserService;
import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Frankenbuild evidence has one store, {@code path_info_conflicts}: V014 gave it a source (claims
 * recorded before stay as uploads by their writer), V021 moved the upstream claims V013 kept in
 * {@code upstream_disagreements} into it (source upstream, no writer, no node) and dropped that
 * table.
 */
class PathInfoEvidenceMigrationTest {
  private static final StorePath PATH = StorePath.parseBaseName("11111111111111111111111111111111-immutable");
  private static final StorePath TOP = StorePath.parseBaseName("22222222222222222222222222222222-top");
  private static final String SIGNATURE = "theirs-1:" + java.util.Base64.getEncoder().encodeToString(new byte[64]);

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void claimsAndUpstreamDisagreementsRecordedBeforeEndUpInOneTable(Dialect d) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestDatabase t = TestDatabase.create(vertx, d)) {
      Database db = t.db();
      // The evidence tables as V010 and V013 made them, with a claim in each.
      await(db.update("DROP TABLE path_info_conflicts"));
      run(db, d, 10);
      run(db, d, 13);
      await(db.update("DELETE FROM schema_migrations WHERE version IN (14, 21)"));
      long writer = await(new UserService(db).create(new UserName("writer"), Optional.empty())).user().id();
      SymlinkNode offered = new SymlinkNode(PathComponent.of(PATH.baseName()), SymlinkTarget.of("/etc/shadow"));
      await(db.update("INSERT INTO path_info_conflicts (digest, name, user_id, differences, offered_node, offered_nar_size, offered_nar_sha256,"
          + " offered_references, offered_signatures, offered_deriver, offered_ca, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          PATH.digest(), PATH.name(), writer, "node", SqlPathInfoService.encodeNode(offered), 120L, new byte[32], "", "", null, null, 5L));
      byte[] ours = filled(1);
      byte[] theirs = filled(2);
      await(db.update("INSERT INTO upstream_disagreements (digest, name, upstream, referrer, our_nar_sha256, our_nar_size, upstream_nar_sha256,"
              + " upstream_nar_size, upstream_references, upstream_signatures, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          PATH.digest(), PATH.name(), "https://cache.example.org/", TOP.baseName(), ours, 120L, theirs, 120L, PATH.baseName(), SIGNATURE, 7L));

      assertEquals(Migrations.latestVersion(), await(Migrations.apply(db)));
      assertThrows(ExecutionException.class, () -> await(db.query("SELECT 1 FROM upstream_disagreements")), "the table is gone");
      PathInfoConflicts conflicts = new PathInfoConflicts(db);
      List<PathInfoConflicts.Claim> claims = await(conflicts.of(StorePathDigest.of(PATH)));
      assertEquals(List.of(PathInfoConflicts.Source.UPLOAD, PathInfoConflicts.Source.UPSTREAM), claims.stream().map(PathInfoConflicts.Claim::source).toList());
      PathInfoConflicts.Claim upload = claims.get(0);
      assertEquals(Optional.of("writer"), upload.claimant());
      assertEquals(Optional.of(offered), upload.offeredNode());
      assertEquals(5L, upload.atMillis());
      PathInfoConflicts.Claim upstream = claims.get(1);
      assertEquals(Optional.empty(), upstream.claimant());
      assertEquals(Optional.of("https://cache.example.org/"), upstream.origin());
      assertEquals(Optional.of(TOP), upstream.seenVia());
      assertEquals(List.of("narinfo.nar_sha256"), upstream.differences());
      assertEquals(Optional.empty(), upstream.offeredNode(), "a narinfo, no NAR fetched: no node");
      assertEquals(new Hash(HashAlgorithm.SHA256, theirs), upstream.offeredNarSha256());
      assertEquals(List.of(PATH), upstream.offeredReferences());
      assertEquals(SIGNATURE, upstream.offeredSignatures().get(0).toString());
      assertEquals(7L, upstream.atMillis());

      // The same claim seen again is not recorded twice; another upstream's, or other bytes, are.
      PathInfo held = PathInfo.withUnresolvedReferences(PATH, offered, 120, new Hash(HashAlgorithm.SHA256, ours), List.of(), Optional.empty(),
          Optional.empty(), List.of(PATH));
      assertFalse(await(conflicts.compareUpstream(held, narInfo(ours, 120), "https://cache.example.org/", TOP)), "the same content");
      assertTrue(await(conflicts.compareUpstream(held, narInfo(theirs, 120), "https://cache.example.org/", TOP)));
      assertTrue(await(conflicts.compareUpstream(held, narInfo(theirs, 120), "https://other.example.org/", TOP)));
      assertTrue(await(conflicts.compareUpstream(held, narInfo(filled(3), 121), "https://cache.example.org/", TOP)));
      List<PathInfoConflicts.Claim> after = await(conflicts.of(List.of(StorePathDigest.of(PATH))));
      assertEquals(4, after.size(), after.toString());
      assertEquals(Optional.of("https://other.example.org/"), after.get(2).origin());
      assertEquals(List.of("narinfo.nar_size", "narinfo.nar_sha256"), after.get(3).differences());
    }
  }

  private static void run(Database db, Dialect d, int version) throws Exception {
    Migrations.Migration m = Migrations.all().stream().filter(x -> x.version() == version).findFirst().orElseThrow();
    for (String statement : m.script(d).replaceAll("(?m)^--.*$", "").split(";")) {
      if (!statement.isBlank()) {
        await(db.update(statement.strip()));
      }
    }
  }

  private static byte[] filled(int b) {
    byte[] out = new byte[32];
    Arrays.fill(out, (byte) b);
    return out;
  }

  private static NarInfo narInfo(byte[] narSha256, long narSize) {
    return new NarInfo(PATH, "nar/x.nar", "none", Optional.empty(), Optional.empty(), new Hash(HashAlgorithm.SHA256, narSha256), narSize,
        List.of(PATH), Optional.empty(), Optional.empty(), List.of(Signature.parse(SIGNATURE)), Optional.empty());
  }
}
