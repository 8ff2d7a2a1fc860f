package dev.cairn.castore;

import dev.cairn.validation.ValidationException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules of a Directory Put stream (WIRE.md §3), checked as the directories arrive. */
class DirectoryClosureTest {
  private static ValidationException rejected(Directory... leavesToRoot) {
    return assertThrows(ValidationException.class, () -> DirectoryClosure.of(List.of(leavesToRoot)));
  }

  @Test
  void keepsEachDirectoryOnceLeavesFirstWithTheLastAsRoot() {
    Directory c = SqlDirectoryServiceTest.leaf("c");
    Directory b = SqlDirectoryServiceTest.parent("c", c);
    Directory a = SqlDirectoryServiceTest.parent("b", b, DirectoryNode.of(PathComponent.of("c"), c, DirectorySizeFormula.TVIX));
    DirectoryClosure closure = DirectoryClosure.of(List.of(c, b, c, a));
    assertEquals(a, closure.root());
    assertEquals(List.of(c.digest(), b.digest(), a.digest()), List.copyOf(closure.directories().keySet()));
  }

  @Test
  void rejectsAnEmptyStream() {
    assertEquals("directories", rejected().field());
  }

  @Test
  void rejectsAReferenceToADirectoryNotSentEarlierInTheStream() {
    Directory c = SqlDirectoryServiceTest.leaf("late");
    Directory b = SqlDirectoryServiceTest.parent("c", c);
    ValidationException e = rejected(b, c, SqlDirectoryServiceTest.parent("b", b));
    assertEquals("directories[0].directories[0]", e.field());
    assertTrue(e.getMessage().contains("not sent before it in this stream"), e.getMessage());
  }

  @Test
  void refusesAtTheFirstBadDirectoryWhileTheStreamIsStillArriving() {
    DirectoryClosure.Builder b = new DirectoryClosure.Builder().add(SqlDirectoryServiceTest.leaf("ok"));
    Directory dangling = SqlDirectoryServiceTest.parent("x", SqlDirectoryServiceTest.leaf("never sent"));
    assertEquals("directories[1].directories[0]", assertThrows(ValidationException.class, () -> b.add(dangling)).field());
  }

  @Test
  void rejectsASizeOutsideTheToleratedRange() {
    Directory c = SqlDirectoryServiceTest.leaf("size");
    long proto = c.size(DirectorySizeFormula.PROTO);
    long tvix = c.size(DirectorySizeFormula.TVIX);
    for (long wrong : new long[] {proto - 1, tvix + 1}) {
      assertEquals("directories[1].directories[0].size", rejected(c, Directory.of(new DirectoryNode(PathComponent.of("c"), c.digest(), wrong))).field());
    }
    Directory protoSized = Directory.of(new DirectoryNode(PathComponent.of("c"), c.digest(), proto));
    assertEquals(protoSized, DirectoryClosure.of(List.of(c, protoSized)).root(), "the proto formula is accepted");
  }

  @Test
  void rejectsDirectoriesNotReachableFromTheRoot() {
    ValidationException e = rejected(SqlDirectoryServiceTest.leaf("stray"), SqlDirectoryServiceTest.leaf("root"));
    assertEquals("directories", e.field());
    assertTrue(e.getMessage().contains("not reachable from the root"), e.getMessage());
  }
}
