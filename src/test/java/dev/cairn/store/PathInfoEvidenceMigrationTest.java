package dev.cairn.store;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.castore.PathComponent;
import dev.cairn.castore.SymlinkNode;
import dev.cairn.castore.SymlinkTarget;
import dev.cairn.db.Database;
import dev.cairn.db.Dialect;
import dev.cairn.db.Migrations;
import dev.cairn.db.TestDatabase;
import dev.cairn.nix.StorePath;
import dev.cairn.users.UserName;
import dev.cairn.users.UserService;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** V014 gives evidence a source: claims recorded before it are kept, as uploads by their writer; upstream claims have no writer. */
class PathInfoEvidenceMigrationTest {
  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void claimsRecordedBeforeV014StayAsUploads(Dialect d) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestDatabase t = TestDatabase.create(vertx, d)) {
      Database db = t.db();
      // The table as V010 made it, with a claim in it.
      await(db.update("DROP TABLE path_info_conflicts"));
      Migrations.Migration v010 = Migrations.all().stream().filter(m -> m.version() == 10).findFirst().orElseThrow();
      for (String statement : d.render(v010.sql()).replaceAll("(?m)^--.*$", "").split(";")) {
        if (!statement.isBlank()) {
          await(db.update(statement.strip()));
        }
      }
      await(db.update("DELETE FROM schema_migrations WHERE version = 14"));
      long writer = await(new UserService(db).create(new UserName("writer"), Optional.empty())).user().id();
      StorePath path = StorePath.parseBaseName("11111111111111111111111111111111-immutable");
      SymlinkNode offered = new SymlinkNode(PathComponent.of(path.baseName()), SymlinkTarget.of("/etc/shadow"));
      await(db.update("INSERT INTO path_info_conflicts (digest, name, user_id, differences, offered_node, offered_nar_size, offered_nar_sha256,"
          + " offered_references, offered_signatures, offered_deriver, offered_ca, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          path.digest(), path.name(), writer, "node", SqlPathInfoService.encodeNode(offered), 120L, new byte[32], "", "", null, null, 5L));

      assertEquals(Migrations.latestVersion(), await(Migrations.apply(db)));
      PathInfoConflicts conflicts = new PathInfoConflicts(db);
      List<PathInfoConflicts.Claim> claims = await(conflicts.of(StorePathDigest.of(path)));
      assertEquals(1, claims.size());
      assertEquals(PathInfoConflicts.Source.UPLOAD, claims.get(0).source());
      assertEquals(Optional.of("writer"), claims.get(0).claimant());
      assertEquals(offered, claims.get(0).offeredNode());
      assertEquals(5L, claims.get(0).atMillis());

      // An upstream's differing narinfo is recorded without a writer, naming the upstream.
      PathInfo upstream = PathInfo.withUnresolvedReferences(path, offered, 120, new dev.cairn.nix.Hash(dev.cairn.nix.HashAlgorithm.SHA256,
          new byte[32]), List.of(), Optional.empty(), Optional.empty(), List.of());
      await(conflicts.recordUpstream(upstream, List.of("narinfo.nar_sha256"), "https://cache.example.org"));
      List<PathInfoConflicts.Claim> both = await(conflicts.of(List.of(StorePathDigest.of(path))));
      assertEquals(List.of(PathInfoConflicts.Source.UPLOAD, PathInfoConflicts.Source.UPSTREAM), both.stream().map(PathInfoConflicts.Claim::source).toList());
      assertEquals(Optional.empty(), both.get(1).claimant());
      assertEquals(Optional.of("https://cache.example.org"), both.get(1).origin());
    } finally {
      await(vertx.close());
    }
  }
}
