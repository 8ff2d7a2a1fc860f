package dev.cairn.store;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.castore.CastoreFixture;
import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.nix.StorePath;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract on the near/far composition — near a SQL PathInfo service, far another SQL one
 * over a second database (both over one castore, as a far that ingests what it fetches is) —
 * and what the composition adds: far's answers kept in near, one far lookup per path at a time.
 */
class NearFarPathInfoServiceTest extends PathInfoServiceContract {
  /** Far, as the composition sees it, with its lookups counted and, when a gate is set, held until the gate opens. */
  private static final class ObservedFar implements PathInfoService {
    final PathInfoService inner;
    final AtomicInteger gets = new AtomicInteger();
    volatile Future<Void> gate = Future.succeededFuture();

    ObservedFar(PathInfoService inner) {
      this.inner = inner;
    }

    @Override
    public Future<Optional<PathInfo>> get(StorePathDigest digest) {
      gets.incrementAndGet();
      return gate.compose(v -> inner.get(digest));
    }

    @Override
    public Future<PathInfo> put(PathInfo info) {
      return inner.put(info);
    }

    @Override
    public Future<List<PathInfo>> list(Optional<StorePathDigest> after, int limit) {
      return inner.list(after, limit);
    }

    @Override
    public Future<Boolean> delete(StorePathDigest digest) {
      return inner.delete(digest);
    }
  }

  /** Near, with the misses it answered counted (the composition asks near before it asks far). */
  private static final class ObservedNear implements PathInfoService {
    final PathInfoService inner;
    final AtomicInteger misses = new AtomicInteger();
    volatile Runnable onMiss = () -> { };

    ObservedNear(PathInfoService inner) {
      this.inner = inner;
    }

    @Override
    public Future<Optional<PathInfo>> get(StorePathDigest digest) {
      return inner.get(digest).andThen(ar -> {
        if (ar.succeeded() && ar.result().isEmpty()) {
          misses.incrementAndGet();
          onMiss.run();
        }
      });
    }

    @Override
    public Future<PathInfo> put(PathInfo info) {
      return inner.put(info);
    }

    @Override
    public Future<List<PathInfo>> list(Optional<StorePathDigest> after, int limit) {
      return inner.list(after, limit);
    }

    @Override
    public Future<Boolean> delete(StorePathDigest digest) {
      return inner.delete(digest);
    }
  }

  private record Composed(CastoreFixture castore, TestDatabase farDb, ObservedNear near, ObservedFar far, PathInfoService service)
      implements Backend {
    @Override
    public void close() throws Exception {
      farDb.close();
      castore.close();
    }
  }

  @Override
  protected Backend open(Dialect dialect) throws Exception {
    CastoreFixture f = CastoreFixture.create(dialect);
    TestDatabase farDb = TestDatabase.create(f.vertx, dialect);
    ObservedNear near = new ObservedNear(new SqlPathInfoService(f.database.db(), f.blobs, f.directories));
    ObservedFar far = new ObservedFar(new SqlPathInfoService(farDb.db(), f.blobs, f.directories));
    // The gate refuses paths named "refused" (as the Frankenbuild check refuses a disputed closure).
    UploadGate gate = offered -> offered.storePath().name().equals("refused")
        ? Future.failedFuture(new ClosureConflictException("refused by the gate", new io.vertx.core.json.JsonObject()))
        : Future.succeededFuture();
    return new Composed(f, farDb, near, far, new NearFarPathInfoService(near, far, gate));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aPathFromFarThatTheGateRefusesIsNotKept(Dialect d) throws Exception {
    Composed c = (Composed) backends.get(d);
    PathInfo info = ingested(c.castore(), path("refused"), List.of());
    await(c.far().inner.put(info));
    var failed = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
        () -> await(c.service().get(info.digest())));
    org.junit.jupiter.api.Assertions.assertInstanceOf(ClosureConflictException.class, failed.getCause());
    assertTrue(await(c.near().inner.get(info.digest())).isEmpty(), "not kept in near");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aPathOnlyFarHasIsAnsweredFromFarAndKeptInNear(Dialect d) throws Exception {
    Composed c = (Composed) backends.get(d);
    PathInfo info = ingested(c.castore(), path("upstream"), List.of());
    await(c.far().inner.put(info));
    assertTrue(await(c.near().inner.get(info.digest())).isEmpty());
    int before = c.far().gets.get();
    assertEquals(List.of(), info.differencesFrom(await(c.service().get(info.digest())).orElseThrow()));
    assertEquals(List.of(), info.differencesFrom(await(c.near().inner.get(info.digest())).orElseThrow()), "kept in near");
    await(c.service().get(info.digest()));
    assertEquals(before + 1, c.far().gets.get(), "the second get is answered by near");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void putsGoToNearOnly(Dialect d) throws Exception {
    Composed c = (Composed) backends.get(d);
    PathInfo info = ingested(c.castore(), path("local"), List.of());
    await(c.service().put(info));
    assertTrue(await(c.far().inner.get(info.digest())).isEmpty());
    assertTrue(await(c.near().inner.get(info.digest())).isPresent());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void concurrentGetsOfOnePathShareOneFarLookup(Dialect d) throws Exception {
    Composed c = (Composed) backends.get(d);
    int callers = 20;
    for (boolean farHasIt : new boolean[] {true, false, false}) {
      StorePath p = path("popular");
      PathInfo info = ingested(c.castore(), p, List.of());
      if (farHasIt) {
        await(c.far().inner.put(info));
      }
      // Far answers only once every caller has missed in near and the shared lookup has missed
      // there too (callers + 1 misses), and a moment more: a caller joins the lookup in a
      // callback of its own after its miss, possibly on another event loop.
      Promise<Void> gate = Promise.promise();
      int missesBefore = c.near().misses.get();
      c.near().onMiss = () -> {
        if (c.near().misses.get() - missesBefore == callers + 1) {
          c.castore().vertx.setTimer(200, t -> gate.tryComplete());
        }
      };
      c.far().gate = gate.future();
      int farGetsBefore = c.far().gets.get();
      List<Future<Optional<PathInfo>>> gets = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        gets.add(c.service().get(StorePathDigest.of(p)));
      }
      await(Future.all(gets));
      c.far().gate = Future.succeededFuture();
      c.near().onMiss = () -> { };
      assertEquals(1, c.far().gets.get() - farGetsBefore, "one far lookup for " + callers + " concurrent gets");
      for (Future<Optional<PathInfo>> g : gets) {
        assertEquals(farHasIt, g.result().isPresent());
      }
      assertEquals(farHasIt, await(c.near().inner.get(StorePathDigest.of(p))).isPresent());
    }
  }
}
