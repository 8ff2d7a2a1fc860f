package dev.cairn.store;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.Blake3Hasher;
import dev.cairn.castore.CastoreFixture;
import dev.cairn.castore.FileNode;
import dev.cairn.castore.NarIngester;
import dev.cairn.castore.Node;
import dev.cairn.castore.PathComponent;
import dev.cairn.castore.SymlinkNode;
import dev.cairn.castore.SymlinkTarget;
import dev.cairn.castore.ValidationException;
import dev.cairn.db.Dialect;
import dev.cairn.nix.Hash;
import dev.cairn.nix.NarWriter;
import dev.cairn.nix.SecretKey;
import dev.cairn.nix.StorePath;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SqlPathInfoServiceTest {
  private final Map<Dialect, CastoreFixture> fixtures = new EnumMap<>(Dialect.class);
  private final Map<Dialect, SqlPathInfoService> services = new EnumMap<>(Dialect.class);
  private int counter;

  @BeforeAll
  void open() throws Exception {
    for (Dialect d : Dialect.values()) {
      CastoreFixture f = CastoreFixture.create(d);
      fixtures.put(d, f);
      services.put(d, new SqlPathInfoService(f.database.db(), f.blobs, f.directories));
    }
  }

  @AfterAll
  void close() throws Exception {
    for (CastoreFixture f : fixtures.values()) {
      f.close();
    }
  }

  private synchronized StorePath path(String name) {
    counter++;
    StringBuilder b = new StringBuilder();
    for (char ch : String.format("%032d", counter).toCharArray()) {
      b.append("abcdfghijk".charAt(ch - '0'));
    }
    return StorePath.parseBaseName(b + "-" + name);
  }

  /** Ingests a small tree with unique content and returns the PathInfo for {@code path}. */
  private PathInfo ingested(CastoreFixture f, StorePath path, List<StorePath> refs) throws Exception {
    Path dir = Files.createTempDirectory("pi");
    Files.writeString(dir.resolve("file"), path.baseName());
    ByteArrayOutputStream nar = new ByteArrayOutputStream();
    NarWriter.dump(dir, nar);
    NarIngester.Result r = f.ingester.ingest(new ByteArrayInputStream(nar.toByteArray()));
    Node node = r.root().withName(PathComponent.of(path.baseNameBytes()));
    SecretKey key = SecretKey.generate("test-1");
    PathInfo unsigned = PathInfo.withUnresolvedReferences(path, node, r.narSize(), r.narSha256(), List.of(), Optional.empty(), Optional.empty(), refs);
    return PathInfo.withUnresolvedReferences(path, node, r.narSize(), r.narSha256(), List.of(key.sign(unsigned.fingerprint())),
        Optional.of(StorePath.parseBaseName(path.hashPart() + "-" + path.name() + ".drv")), Optional.empty(), refs);
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void putThenGetKeepsEveryFieldAndReferenceOrder(Dialect d) throws Exception {
    CastoreFixture f = fixtures.get(d);
    SqlPathInfoService s = services.get(d);
    StorePath z = path("zzz");
    StorePath a = path("aaa");
    PathInfo info = ingested(f, path("top"), List.of(z, a));
    await(s.put(info));
    PathInfo back = await(s.get(info.storePath().digest())).orElseThrow();
    assertEquals(List.of(z, a), back.references(), "order as received, for the fingerprint");
    assertEquals(info.fingerprint(), back.fingerprint());
    assertEquals(info.signatures(), back.signatures());
    assertEquals(info.node(), back.node());
    assertEquals(info.deriver(), back.deriver());
    assertFalse(back.referenceNodes().get(z).isKnown(), "a reference not in the store is explicitly unknown");
    assertTrue(await(s.get(path("absent").digest())).isEmpty());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void referenceNodesAreFilledFromStoredPathsAndBackFilled(Dialect d) throws Exception {
    CastoreFixture f = fixtures.get(d);
    SqlPathInfoService s = services.get(d);
    StorePath depPath = path("dep");
    StorePath laterPath = path("later");
    PathInfo dep = ingested(f, depPath, List.of());
    await(s.put(dep));
    PathInfo top = await(s.put(ingested(f, path("top"), List.of(depPath, laterPath))));
    assertEquals(dep.node(), top.referenceNodes().get(depPath).node().orElseThrow(), "filled at put from the stored dep");
    assertFalse(top.referenceNodes().get(laterPath).isKnown());
    PathInfo later = ingested(f, laterPath, List.of());
    await(s.put(later));
    PathInfo reread = await(s.get(top.storePath().digest())).orElseThrow();
    assertEquals(later.node(), reread.referenceNodes().get(laterPath).node().orElseThrow(), "back-filled when the reference arrived");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void refusesARootWhoseContentsAreNotInCastore(Dialect d) {
    SqlPathInfoService s = services.get(d);
    StorePath p = path("ghost");
    B3Digest unknown = Blake3Hasher.hash(("never stored " + d).getBytes());
    PathInfo info = PathInfo.withUnresolvedReferences(p, new FileNode(PathComponent.of(p.baseNameBytes()), unknown, 5, false), 64,
        Hash.parse("sha256:" + "0".repeat(64)), List.of(), Optional.empty(), Optional.empty(), List.of());
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(s.put(info)));
    assertEquals("node.file.digest", assertInstanceOf(ValidationException.class, e.getCause()).field());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void rootNodeMustBeNamedByTheStorePathBasename(Dialect d) {
    StorePath p = path("named");
    ValidationException e = assertThrows(ValidationException.class, () -> PathInfo.withUnresolvedReferences(p,
        new SymlinkNode(PathComponent.of("other"), SymlinkTarget.of("x")), 64, Hash.parse("sha256:" + "0".repeat(64)), List.of(),
        Optional.empty(), Optional.empty(), List.of()));
    assertEquals("node.name", e.field());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void listsInPagesAndDeletes(Dialect d) throws Exception {
    CastoreFixture f = fixtures.get(d);
    SqlPathInfoService s = services.get(d);
    for (int i = 0; i < 5; i++) {
      await(s.put(ingested(f, path("list" + i), List.of())));
    }
    List<PathInfo> all = new ArrayList<>();
    Optional<byte[]> after = Optional.empty();
    while (true) {
      List<PathInfo> page = await(s.list(after, 2));
      if (page.isEmpty()) {
        break;
      }
      all.addAll(page);
      after = Optional.of(page.get(page.size() - 1).storePath().digest());
    }
    assertTrue(all.size() >= 5);
    assertEquals(all.size(), all.stream().map(PathInfo::storePath).distinct().count());
    PathInfo victim = all.get(0);
    assertTrue(await(s.delete(victim.storePath().digest())));
    assertTrue(await(s.get(victim.storePath().digest())).isEmpty());
    assertFalse(await(s.delete(victim.storePath().digest())));
  }
}
