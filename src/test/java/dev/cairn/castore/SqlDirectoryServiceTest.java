package dev.cairn.castore;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SqlDirectoryServiceTest {
  private final Map<Dialect, CastoreFixture> fixtures = new EnumMap<>(Dialect.class);
  private static final B3Digest BLOB = Blake3Hasher.hash("x".getBytes());

  @BeforeAll
  void open() throws Exception {
    for (Dialect d : Dialect.values()) {
      fixtures.put(d, CastoreFixture.create(d));
    }
  }

  @AfterAll
  void close() throws Exception {
    for (CastoreFixture f : fixtures.values()) {
      f.close();
    }
  }

  static Directory leaf(String tag) {
    return Directory.of(new FileNode(PathComponent.of(tag), BLOB, 1, false),
        new SymlinkNode(PathComponent.of("link"), SymlinkTarget.of("../" + tag)));
  }

  static Directory parent(String name, Directory child, Node... more) {
    java.util.List<Node> nodes = new java.util.ArrayList<>(List.of(more));
    nodes.add(DirectoryNode.of(PathComponent.of(name), child, DirectorySizeFormula.TVIX));
    return Directory.of(nodes);
  }

  private static B3Digest put(DirectoryService s, Directory... leavesToRoot) throws Exception {
    return await(s.put(DirectoryClosure.of(List.of(leavesToRoot))));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void storesAClosureOfDepthThreeAndReadsItBackBreadthFirst(Dialect d) throws Exception {
    DirectoryService s = fixtures.get(d).directories;
    Directory c = leaf("c-" + d);
    Directory b1 = parent("c", c);
    Directory b2 = parent("c2", c, new FileNode(PathComponent.of("exe"), BLOB, 1, true));
    Directory a = Directory.of(DirectoryNode.of(PathComponent.of("b1"), b1, DirectorySizeFormula.TVIX),
        DirectoryNode.of(PathComponent.of("b2"), b2, DirectorySizeFormula.TVIX));
    assertEquals(a.digest(), put(s, c, b1, c, b2, a), "duplicates are tolerated");
    assertEquals(b1, await(s.get(b1.digest())).orElseThrow());
    assertEquals(List.of(a, b1, b2, c), await(s.getRecursive(a.digest())), "BFS, each digest once");
    assertTrue(await(s.getRecursive(Blake3Hasher.hash(new byte[] {1}))).isEmpty());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void storingAClosureAgainIsIdempotentAndSharedSubtreesAreStoredOnce(Dialect d) throws Exception {
    DirectoryService s = fixtures.get(d).directories;
    Directory shared = leaf("shared-" + d);
    Directory first = parent("s", shared);
    Directory second = parent("t", shared);
    assertEquals(first.digest(), put(s, shared, first));
    assertEquals(first.digest(), put(s, shared, first));
    assertEquals(second.digest(), put(s, shared, second));
    assertEquals(List.of(second, shared), await(s.getRecursive(second.digest())));
  }
}
