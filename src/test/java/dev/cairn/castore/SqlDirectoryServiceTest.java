package dev.cairn.castore;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
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

  private static ValidationException rejected(io.vertx.core.Future<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(f));
    return assertInstanceOf(ValidationException.class, e.getCause());
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
    assertEquals(a.digest(), await(s.put(List.of(c, b1, c, b2, a))), "duplicates are tolerated");
    assertEquals(b1, await(s.get(b1.digest())).orElseThrow());
    assertEquals(List.of(a, b1, b2, c), await(s.getRecursive(a.digest())), "BFS, each digest once");
    assertTrue(await(s.getRecursive(Blake3Hasher.hash(new byte[] {1}))).isEmpty());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aClosureMayReferenceDirectoriesAlreadyStored(Dialect d) throws Exception {
    DirectoryService s = fixtures.get(d).directories;
    Directory c = leaf("stored-" + d);
    await(s.put(List.of(c)));
    Directory b = parent("c", c);
    assertEquals(b.digest(), await(s.put(List.of(b))));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void rejectsAnEmptyClosure(Dialect d) {
    assertEquals("directories", rejected(fixtures.get(d).directories.put(List.of())).field());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void rejectsADanglingReferenceAndStoresNothing(Dialect d) throws Exception {
    DirectoryService s = fixtures.get(d).directories;
    Directory missing = leaf("missing-" + d);
    Directory other = leaf("other-" + d);
    Directory b = parent("m", missing, DirectoryNode.of(PathComponent.of("o"), other, DirectorySizeFormula.TVIX));
    ValidationException e = rejected(s.put(List.of(other, b)));
    assertTrue(e.getMessage().contains("neither sent before it nor stored"), e.getMessage());
    assertTrue(await(s.get(other.digest())).isEmpty(), "nothing of a rejected closure is stored");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void rejectsASizeOutsideTheToleratedRange(Dialect d) {
    DirectoryService s = fixtures.get(d).directories;
    Directory c = leaf("size-" + d);
    long proto = c.size(DirectorySizeFormula.PROTO);
    long tvix = c.size(DirectorySizeFormula.TVIX);
    for (long wrong : new long[] {proto - 1, tvix + 1}) {
      Directory b = Directory.of(new DirectoryNode(PathComponent.of("c"), c.digest(), wrong));
      ValidationException e = rejected(s.put(List.of(c, b)));
      assertEquals("directories[1].directories[0].size", e.field());
    }
    Directory protoSized = Directory.of(new DirectoryNode(PathComponent.of("c"), c.digest(), proto));
    assertTrue(s.put(List.of(c, protoSized)).toCompletionStage().toCompletableFuture().join() != null, "the proto formula is accepted");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void rejectsDirectoriesNotReachableFromTheRoot(Dialect d) throws Exception {
    DirectoryService s = fixtures.get(d).directories;
    Directory stray = leaf("stray-" + d);
    Directory root = leaf("root-" + d);
    ValidationException e = rejected(s.put(List.of(stray, root)));
    assertTrue(e.getMessage().contains("not reachable from the root"), e.getMessage());
    assertTrue(await(s.get(root.digest())).isEmpty());
  }
}
