package dev.cairn.castore.chunks;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.castore.B3Digest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ChunkStore} backend must do (the interface's contract), run against each
 * backend by a subclass that says how to make a fresh, empty store.
 */
public abstract class ChunkStoreContract {
  /** The Vert.x instance the subclass's stores run on. */
  protected abstract Vertx vertx();

  /** A fresh, empty store; closed after each test. */
  protected abstract ChunkStore newStore() throws Exception;

  /**
   * Starts a put of {@code bytes} under {@code digest} through the backend's real write path,
   * with a source that fails after sending half of the bytes; the returned future must fail.
   */
  protected abstract Future<Void> putFailingMidway(ChunkStore store, B3Digest digest, Buffer bytes);

  protected ChunkStore store;
  private final Random random = new Random(7);

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
  }

  @AfterEach
  void closeStore() throws Exception {
    await(store.close());
  }

  protected Buffer bytes(int size) {
    byte[] b = new byte[size];
    random.nextBytes(b);
    return Buffer.buffer(b);
  }

  protected B3Digest digest() {
    byte[] b = new byte[B3Digest.LENGTH];
    random.nextBytes(b);
    return B3Digest.of(b);
  }

  @Test
  void missingDigestIsAbsentEverywhere() throws Exception {
    B3Digest d = digest();
    assertFalse(await(store.has(d)));
    assertEquals(Optional.empty(), await(store.get(d)));
    assertEquals(Optional.empty(), await(store.get(d, 0, 10)));
    assertEquals(Optional.empty(), await(store.get(d, 0, 0)));
    assertEquals(List.of(), await(store.list(Optional.empty(), 10)));
  }

  @Test
  void putThenHasAndGetTheSameBytes() throws Exception {
    B3Digest d = digest();
    Buffer b = bytes(70_000);
    await(store.put(d, b));
    assertTrue(await(store.has(d)));
    assertEquals(b, await(store.get(d)).orElseThrow());
  }

  @Test
  void storesAnEmptyValue() throws Exception {
    B3Digest d = digest();
    await(store.put(d, Buffer.buffer()));
    assertTrue(await(store.has(d)));
    assertEquals(0, await(store.get(d)).orElseThrow().length());
    assertEquals(0, await(store.get(d, 0, 10)).orElseThrow().length());
  }

  @Test
  void rangedGetReturnsTheRegionClippedAtTheEnd() throws Exception {
    B3Digest d = digest();
    Buffer b = bytes(1000);
    await(store.put(d, b));
    assertEquals(b.slice(0, 10), range(d, 0, 10), "at the start");
    assertEquals(b.slice(500, 600), range(d, 500, 100), "in the middle");
    assertEquals(b.slice(999, 1000), range(d, 999, 1), "the last byte");
    assertEquals(b.slice(990, 1000), range(d, 990, 100), "across the end: clipped");
    assertEquals(b, range(d, 0, 1000), "exactly the whole");
    assertEquals(b, range(d, 0, Long.MAX_VALUE), "a length that would overflow");
    assertEquals(Buffer.buffer(), range(d, 1000, 5), "at the end: present, no bytes");
    assertEquals(Buffer.buffer(), range(d, 5000, 1), "beyond the end: present, no bytes");
    assertEquals(Buffer.buffer(), range(d, 10, 0), "zero length");
  }

  private Buffer range(B3Digest d, long offset, long length) throws Exception {
    return await(store.get(d, offset, length)).orElseThrow(() -> new AssertionError("absent"));
  }

  @Test
  void rangedGetRejectsNegativeArguments() {
    B3Digest d = digest();
    assertThrows(Exception.class, () -> await(store.get(d, -1, 10)));
    assertThrows(Exception.class, () -> await(store.get(d, 0, -1)));
  }

  @Test
  void putOfAnExistingDigestReplacesTheBytes() throws Exception {
    B3Digest d = digest();
    await(store.put(d, bytes(3000)));
    Buffer repaired = bytes(2000);
    await(store.put(d, repaired));
    assertEquals(repaired, await(store.get(d)).orElseThrow());
    assertEquals(2000, await(store.list(Optional.empty(), 10)).get(0).storedSize());
  }

  @Test
  void deleteRemovesOnlyThatDigest() throws Exception {
    B3Digest gone = digest();
    B3Digest kept = digest();
    await(store.put(gone, bytes(100)));
    await(store.put(kept, bytes(100)));
    await(store.delete(gone));
    assertFalse(await(store.has(gone)));
    assertEquals(Optional.empty(), await(store.get(gone)));
    assertTrue(await(store.has(kept)));
    assertEquals(List.of(kept), digests(await(store.list(Optional.empty(), 10))));
  }

  @Test
  void deleteOfAMissingDigestSucceeds() throws Exception {
    await(store.delete(digest()));
  }

  @Test
  void listPagesThroughEveryDigestInAscendingUnsignedOrder() throws Exception {
    TreeSet<B3Digest> stored = new TreeSet<>();
    List<Future<Void>> puts = new ArrayList<>();
    long before = System.currentTimeMillis() - 2_000;
    for (int i = 0; i < 150; i++) {
      byte[] raw = digest().bytes();
      // Both halves of the first byte's range, so signed ordering would show.
      raw[0] = (byte) (i % 2 == 0 ? raw[0] | 0x80 : raw[0] & 0x7f);
      B3Digest d = B3Digest.of(raw);
      stored.add(d);
      puts.add(store.put(d, bytes(10 + i)));
    }
    await(Future.all(puts));
    long after = System.currentTimeMillis() + 2_000;

    List<ChunkStore.Listed> all = new ArrayList<>();
    Optional<B3Digest> cursor = Optional.empty();
    while (true) {
      List<ChunkStore.Listed> page = await(store.list(cursor, 7));
      assertTrue(page.size() <= 7, "a page holds at most the limit");
      if (page.isEmpty()) {
        break;
      }
      all.addAll(page);
      cursor = Optional.of(page.get(page.size() - 1).digest());
    }
    assertEquals(new ArrayList<>(stored), digests(all));
    for (ChunkStore.Listed l : all) {
      assertEquals(await(store.get(l.digest())).orElseThrow().length(), l.storedSize());
      assertTrue(l.modifiedMillis() >= before && l.modifiedMillis() <= after, "modified " + l.modifiedMillis());
    }
    // A cursor that is not itself stored starts after where it would sort.
    B3Digest middle = new ArrayList<>(stored).get(75);
    byte[] justBelow = middle.bytes();
    justBelow[B3Digest.LENGTH - 1]--;
    B3Digest notStored = B3Digest.of(justBelow);
    if (!stored.contains(notStored)) {
      assertEquals(middle, await(store.list(Optional.of(notStored), 1)).get(0).digest());
    }
    assertEquals(List.of(), await(store.list(Optional.of(stored.last()), 5)));
    assertEquals(new ArrayList<>(stored), digests(await(store.list(Optional.empty(), 1500))));
  }

  @Test
  void concurrentPutsOfOneDigestLeaveOneWholeValue() throws Exception {
    B3Digest d = digest();
    List<Buffer> values = new ArrayList<>();
    List<Future<Void>> puts = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Buffer b = bytes(200_000);
      values.add(b);
      puts.add(store.put(d, b));
    }
    await(Future.all(puts));
    Buffer result = await(store.get(d)).orElseThrow();
    assertTrue(values.contains(result), "the stored bytes are exactly one of the puts");
  }

  @Test
  void aPutWhoseSourceFailsLeavesNothingVisible() throws Exception {
    B3Digest d = digest();
    assertThrows(Exception.class, () -> await(putFailingMidway(store, d, bytes(300_000))));
    assertFalse(await(store.has(d)));
    assertEquals(Optional.empty(), await(store.get(d)));
    assertEquals(List.of(), await(store.list(Optional.empty(), 10)));
  }

  @Test
  void aFailedReplacementKeepsTheOldBytes() throws Exception {
    B3Digest d = digest();
    Buffer old = bytes(50_000);
    await(store.put(d, old));
    assertThrows(Exception.class, () -> await(putFailingMidway(store, d, bytes(300_000))));
    assertEquals(old, await(store.get(d)).orElseThrow());
  }

  @Test
  void futuresCompleteOnTheCallersContext() throws Exception {
    B3Digest d = digest();
    Context context = vertx().getOrCreateContext();
    Promise<List<Boolean>> seen = Promise.promise();
    context.runOnContext(v -> {
      List<Boolean> same = new ArrayList<>();
      store.put(d, bytes(100))
          .andThen(r -> same.add(Vertx.currentContext() == context))
          .compose(v2 -> store.get(d))
          .andThen(r -> same.add(Vertx.currentContext() == context))
          .compose(v2 -> store.get(d, 10, 10))
          .andThen(r -> same.add(Vertx.currentContext() == context))
          .compose(v2 -> store.has(digest()))
          .andThen(r -> same.add(Vertx.currentContext() == context))
          .compose(v2 -> store.list(Optional.empty(), 5))
          .andThen(r -> same.add(Vertx.currentContext() == context))
          .compose(v2 -> store.delete(d))
          .andThen(r -> same.add(Vertx.currentContext() == context))
          .onComplete(r -> seen.complete(same));
    });
    assertEquals(List.of(true, true, true, true, true, true), await(seen.future()));
    assertSame(null, Vertx.currentContext(), "the test thread is not a Vert.x thread");
  }

  @Test
  void manyConcurrentRequestsAllComplete() throws Exception {
    // Far more than any backend's concurrency bound: they queue, none fails.
    List<Future<Void>> puts = new ArrayList<>();
    List<B3Digest> ds = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      B3Digest d = digest();
      ds.add(d);
      puts.add(store.put(d, bytes(1000)));
    }
    await(Future.all(puts));
    List<Future<Boolean>> checks = ds.stream().map(store::has).toList();
    await(Future.all(checks));
    assertTrue(checks.stream().allMatch(Future::result));
  }

  protected static List<B3Digest> digests(List<ChunkStore.Listed> listed) {
    return listed.stream().map(ChunkStore.Listed::digest).toList();
  }
}
