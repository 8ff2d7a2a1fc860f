package dev.cairn.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A failing item of a group commit fails only its own caller. */
class GroupCommitTest {
  @Test
  void aFailingItemFailsOnlyItsOwnSubmissionAndTheRestOfItsGroupCommits() {
    List<List<String>> writes = new ArrayList<>();
    List<String> committed = new ArrayList<>();
    Promise<Void> first = Promise.promise();
    GroupCommit<String> gc = new GroupCommit<>(items -> {
      writes.add(items);
      if (writes.size() == 1) {
        return first.future();
      }
      // Like a database statement: one bad row rolls back the whole write.
      if (items.contains("poison")) {
        return Future.failedFuture(new IllegalStateException("bad row"));
      }
      committed.addAll(items);
      return Future.succeededFuture();
    }, s -> 1, 100, 1);
    Future<Void> a = gc.submit("a");
    // While "a" is being written, these queue up and go to the database as one group.
    Future<Void> b = gc.submit("b");
    Future<Void> poison = gc.submit("poison");
    Future<Void> c = gc.submit("c");
    first.complete();
    assertTrue(a.succeeded());
    assertEquals(List.of("b", "poison", "c"), writes.get(1), "grouped");
    assertTrue(b.succeeded(), "b is not failed by its neighbour");
    assertTrue(c.succeeded(), "c is not failed by its neighbour");
    assertTrue(poison.failed());
    assertEquals("bad row", poison.cause().getMessage());
    assertEquals(List.of("b", "c"), committed);
    // The queue keeps working afterwards.
    assertTrue(gc.submit("d").succeeded());
  }
}
