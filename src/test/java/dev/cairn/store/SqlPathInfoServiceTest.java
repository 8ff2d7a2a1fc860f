package dev.cairn.store;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.Blake3Hasher;
import dev.cairn.castore.CastoreFixture;
import dev.cairn.castore.FileNode;
import dev.cairn.castore.PathComponent;
import dev.cairn.castore.SymlinkNode;
import dev.cairn.castore.SymlinkTarget;
import dev.cairn.db.Dialect;
import dev.cairn.nix.Hash;
import dev.cairn.nix.StorePath;
import dev.cairn.validation.ValidationException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The contract on the SQL backend, and what only it does: references by content, back-filled. */
class SqlPathInfoServiceTest extends PathInfoServiceContract {
  @Override
  protected Backend open(Dialect dialect) throws Exception {
    CastoreFixture f = CastoreFixture.create(dialect);
    SqlPathInfoService service = new SqlPathInfoService(f.database.db(), f.blobs, f.directories);
    return new Backend() {
      @Override
      public CastoreFixture castore() {
        return f;
      }

      @Override
      public PathInfoService service() {
        return service;
      }

      @Override
      public void close() throws Exception {
        f.close();
      }
    };
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aReferenceNotInTheStoreIsExplicitlyUnknown(Dialect d) throws Exception {
    Backend b = backends.get(d);
    StorePath absent = path("absent-dep");
    PathInfo info = ingested(b.castore(), path("top"), List.of(absent));
    await(b.service().put(info));
    assertFalse(await(b.service().get(info.digest())).orElseThrow().referenceNodes().get(absent).isKnown());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void referenceNodesAreFilledFromStoredPathsAndBackFilled(Dialect d) throws Exception {
    Backend b = backends.get(d);
    PathInfoService s = b.service();
    StorePath depPath = path("dep");
    StorePath laterPath = path("later");
    PathInfo dep = ingested(b.castore(), depPath, List.of());
    await(s.put(dep));
    PathInfo top = await(s.put(ingested(b.castore(), path("top"), List.of(depPath, laterPath))));
    assertEquals(dep.node(), top.referenceNodes().get(depPath).node().orElseThrow(), "filled at put from the stored dep");
    assertFalse(top.referenceNodes().get(laterPath).isKnown());
    PathInfo later = ingested(b.castore(), laterPath, List.of());
    await(s.put(later));
    PathInfo reread = await(s.get(top.digest())).orElseThrow();
    assertEquals(later.node(), reread.referenceNodes().get(laterPath).node().orElseThrow(), "back-filled when the reference arrived");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void refusesARootWhoseContentsAreNotInCastore(Dialect d) {
    PathInfoService s = backends.get(d).service();
    StorePath p = path("ghost");
    B3Digest unknown = Blake3Hasher.hash(("never stored " + d).getBytes());
    PathInfo info = PathInfo.withUnresolvedReferences(p, new FileNode(PathComponent.of(p.baseNameBytes()), unknown, 5, false), 64,
        Hash.parse("sha256:" + "0".repeat(64)), List.of(), Optional.empty(), Optional.empty(), List.of());
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(s.put(info)));
    assertEquals("node.file.digest", assertInstanceOf(ValidationException.class, e.getCause()).field());
  }

  @Test
  void rootNodeMustBeNamedByTheStorePathBasename() {
    StorePath p = path("named");
    ValidationException e = assertThrows(ValidationException.class, () -> PathInfo.withUnresolvedReferences(p,
        new SymlinkNode(PathComponent.of("other"), SymlinkTarget.of("x")), 64, Hash.parse("sha256:" + "0".repeat(64)), List.of(),
        Optional.empty(), Optional.empty(), List.of()));
    assertEquals("node.name", e.field());
  }
}
