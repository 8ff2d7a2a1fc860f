package dev.cairn.attest.queue;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.attest.OutputVotes;
import dev.cairn.attest.Status;
import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.nix.NixSystem;
import dev.cairn.nix.StorePath;
import dev.cairn.users.User;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The queue's SQL on SQLite and PostgreSQL: what pops, to whom, and when a job comes back or is done. */
class RebuildQueueTest {
  private final Vertx vertx = Vertx.vertx();
  private TestDatabase tdb;

  @AfterEach
  void close() throws Exception {
    if (tdb != null) {
      tdb.close();
    }
    await(vertx.close());
  }

  private QueueFixture open(Dialect d) throws Exception {
    tdb = TestDatabase.create(vertx, d);
    return new QueueFixture(tdb.db());
  }

  private static RebuildQueue.Pop max(int n) {
    return new RebuildQueue.Pop(n, Optional.empty(), Optional.empty());
  }

  /** Alice and Bob, a jobset "main" whose evaluation r1 names one output x. */
  record Given(QueueFixture f, RebuildQueue q, User alice, User bob, long jobset, String x) {}

  private Given given(Dialect d, long leaseMillis) throws Exception {
    QueueFixture f = open(d);
    User alice = f.user("alice");
    User bob = f.user("bob");
    long js = f.jobset("main", true);
    String x = f.path("x");
    f.evaluation(js, "r1", x);
    return new Given(f, new RebuildQueue(tdb.db(), leaseMillis), alice, bob, js, x);
  }

  /** {@code n} jobs at most for {@code builder}, of any jobset. */
  private static List<RebuildQueue.Job> pop(RebuildQueue q, User builder, int n) throws Exception {
    return await(q.pop(builder.id(), max(n), Optional.empty()));
  }

  private static List<String> drvs(List<RebuildQueue.Job> jobs) {
    return jobs.stream().map(RebuildQueue.Job::drvPath).toList();
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void evaluationsFeedJobsThatGoToOneBuilderAtATime(Dialect d) throws Exception {
    Given g = given(d, 60_000);
    QueueFixture f = g.f();
    RebuildQueue q = g.q();
    User alice = g.alice();
    User bob = g.bob();
    long js = g.jobset();
    String x = g.x();
    String y = f.path("y");
    f.evaluation(js, "r1b", y);

    List<RebuildQueue.Job> first = pop(q, alice, 1);
    assertEquals(List.of(QueueFixture.drvOf(x)), drvs(first), "the oldest job first");
    assertEquals(List.of(x), first.get(0).outputs());
    assertTrue(first.get(0).leaseExpiresAt() > System.currentTimeMillis() + 50_000);
    assertEquals(List.of(QueueFixture.drvOf(y)), drvs(pop(q, bob, 5)), "x is leased to alice");
    assertEquals(List.of(), pop(q, bob, 5));
    assertEquals(new RebuildQueue.Counts(0, 2, 0), await(q.counts()));

    // A second evaluation naming x again adds no job.
    String z = f.path("z");
    f.evaluation(js, "r2", x, z);
    assertEquals(List.of(QueueFixture.drvOf(z)), drvs(pop(q, bob, 5)));
    assertEquals(new RebuildQueue.Counts(0, 3, 0), await(q.counts()));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void anAttestationCompletesTheLeaseAndTheJobWaitsForAnotherBuilderUntilReproduced(Dialect d) throws Exception {
    Given g = given(d, 60_000);
    QueueFixture f = g.f();
    RebuildQueue q = g.q();
    User alice = g.alice();
    User bob = g.bob();
    User carol = f.user("carol");
    long js = g.jobset();
    String x = g.x();

    long id = pop(q, alice, 1).get(0).id();
    f.attest(alice, x, QueueFixture.HASH_A);
    assertEquals(new RebuildQueue.Counts(1, 0, 0), await(q.counts()), "one build: queued again for another opinion");
    assertEquals(RebuildQueue.Refusal.NOT_LEASED, await(q.ping(id, alice.id())).refusal().orElseThrow());
    assertEquals(List.of(), pop(q, alice, 1), "never to a builder that attested it");

    assertEquals(id, pop(q, bob, 1).get(0).id());
    f.attest(bob, x, QueueFixture.HASH_B);
    assertEquals(new RebuildQueue.Counts(1, 0, 0), await(q.counts()), "disagreement: a tie-break is needed");

    assertEquals(id, pop(q, carol, 1).get(0).id());
    f.attest(carol, x, QueueFixture.HASH_A);
    assertEquals(new RebuildQueue.Counts(1, 0, 0), await(q.counts()), "still partially reproduced");

    User dave = f.user("dave");
    User erin = f.user("erin");
    String y = f.path("y");
    f.evaluation(js, "r2", y);
    long yId = pop(q, dave, 5).stream().filter(j -> j.outputs().contains(y)).findFirst().orElseThrow().id();
    f.attest(dave, y, QueueFixture.HASH_A);
    assertEquals(yId, pop(q, erin, 5).stream().filter(j -> j.outputs().contains(y)).findFirst().orElseThrow().id());
    f.attest(erin, y, QueueFixture.HASH_A);
    RebuildQueue.Counts c = await(q.counts());
    assertEquals(1, c.done(), "two builders agree on y: done");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void jobsReproducedOutsideTheQueueAreDoneAndBuildersThatAttestedAreSkipped(Dialect d) throws Exception {
    Given g = given(d, 60_000);
    QueueFixture f = g.f();
    RebuildQueue q = g.q();
    User alice = g.alice();
    User bob = g.bob();
    User carol = f.user("carol");
    long js = g.jobset();
    String x = g.x();
    String y = f.path("y");
    f.evaluation(js, "r1b", y);
    f.attest(alice, x, QueueFixture.HASH_A);
    f.attest(bob, x, QueueFixture.HASH_A);
    f.attest(alice, y, QueueFixture.HASH_B);
    assertEquals(List.of(), pop(q, alice, 5));
    assertEquals(List.of(QueueFixture.drvOf(y)), drvs(pop(q, carol, 5)));
    assertEquals(new RebuildQueue.Counts(0, 1, 1), await(q.counts()));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void anExpiredLeaseReturnsTheJobAndOnlyTheHolderRenewsIt(Dialect d) throws Exception {
    Given g = given(d, 300);
    QueueFixture f = g.f();
    RebuildQueue q = g.q();
    User alice = g.alice();
    User bob = g.bob();
    long js = g.jobset();
    String x = g.x();
    long id = pop(q, alice, 1).get(0).id();
    assertEquals(RebuildQueue.Refusal.LEASED_BY_ANOTHER, await(q.ping(id, bob.id())).refusal().orElseThrow());
    assertEquals(RebuildQueue.Refusal.NO_SUCH_JOB, await(q.ping(id + 1000, alice.id())).refusal().orElseThrow());
    long renewed = await(q.ping(id, alice.id())).leaseExpiresAt().orElseThrow();
    assertTrue(renewed > System.currentTimeMillis());
    Thread.sleep(renewed - System.currentTimeMillis() + 50);
    assertEquals(new RebuildQueue.Counts(1, 0, 0), await(q.counts()), "an expired lease counts as queued");
    assertEquals(id, pop(q, bob, 1).get(0).id());
    assertEquals(RebuildQueue.Refusal.LEASED_BY_ANOTHER, await(q.ping(id, alice.id())).refusal().orElseThrow(), "alice lost it");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aFailedBuildReleasesTheJobForOthersAndNeverBackToTheBuilder(Dialect d) throws Exception {
    Given g = given(d, 60_000);
    QueueFixture f = g.f();
    RebuildQueue q = g.q();
    User alice = g.alice();
    User bob = g.bob();
    long js = g.jobset();
    String x = g.x();
    long id = pop(q, alice, 1).get(0).id();
    assertEquals(Optional.of(RebuildQueue.Refusal.LEASED_BY_ANOTHER), await(q.fail(id, bob.id())).refusal());
    assertEquals(Optional.empty(), await(q.fail(id, alice.id())).refusal());
    assertEquals(Optional.of(RebuildQueue.Refusal.NOT_LEASED), await(q.fail(id, alice.id())).refusal(), "released already");
    assertEquals(new RebuildQueue.Counts(1, 0, 0), await(q.counts()));
    assertEquals(List.of(), pop(q, alice, 1), "not offered again to the builder that failed it");
    assertEquals(id, pop(q, bob, 1).get(0).id());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void higherPriorityJobsetsPopFirstAndTheJobsetFilterAndDisabledJobsetsHold(Dialect d) throws Exception {
    QueueFixture f = open(d);
    RebuildQueue q = new RebuildQueue(tdb.db(), 60_000);
    User alice = f.user("alice");
    long low = f.jobset("low", true);
    long high = f.jobset("high", true);
    long off = f.jobset("off", false);
    String a = f.path("a");
    String b = f.path("b");
    String c = f.path("c");
    f.evaluation(low, "r", a);
    f.evaluation(high, "r", b);
    f.evaluation(off, "r", c);
    assertTrue(await(q.setPriority(high, 10)));
    assertEquals(false, await(q.setPriority(999_999, 1)));
    assertEquals(List.of(QueueFixture.drvOf(b), QueueFixture.drvOf(a)), drvs(pop(q, alice, 10)),
        "high first; the disabled jobset's job never");
    User bob = f.user("bob");
    String d2 = f.path("d");
    f.evaluation(low, "r2", d2);
    assertEquals(List.of(), await(q.pop(bob.id(), max(10), Optional.of(high))));
    assertEquals(List.of(QueueFixture.drvOf(d2)), drvs(await(q.pop(bob.id(), max(10), Optional.of(low)))));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void concurrentPopsNeverLeaseOneJobTwice(Dialect d) throws Exception {
    QueueFixture f = open(d);
    RebuildQueue q = new RebuildQueue(tdb.db(), 60_000);
    long js = f.jobset("main", true);
    List<String> outs = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      outs.add(f.path("p" + i));
    }
    f.evaluation(js, "r", outs.toArray(String[]::new));
    List<User> builders = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      builders.add(f.user("b" + i));
    }
    List<Future<List<RebuildQueue.Job>>> pops = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
      for (User u : builders) {
        pops.add(q.pop(u.id(), max(3), Optional.empty()));
      }
    }
    await(Future.all(pops));
    Set<Long> seen = new HashSet<>();
    int total = 0;
    for (Future<List<RebuildQueue.Job>> p : pops) {
      for (RebuildQueue.Job j : p.result()) {
        assertTrue(seen.add(j.id()), "job " + j.id() + " leased twice");
        total++;
      }
    }
    assertEquals(30, total, "16 pops of 3 share the 30 jobs");
    assertEquals(new RebuildQueue.Counts(0, 30, 0), await(q.counts()));
  }

  private static RebuildQueue.Pop of(String system, int n) {
    return new RebuildQueue.Pop(n, Optional.of(new NixSystem(system)), Optional.empty());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void jobsCarryTheirDerivationsSystemAndPopsOfASystemGetOnlyItsJobs(Dialect d) throws Exception {
    QueueFixture f = open(d);
    RebuildQueue q = new RebuildQueue(tdb.db(), 60_000);
    User alice = f.user("alice");
    User bob = f.user("bob");
    long js = f.jobset("main", true);
    String x86 = f.path("x86");
    String arm = f.path("arm");
    String later = f.path("later");
    String unknown = f.path("unknown");
    f.evaluation(js, "r1", Optional.of("x86_64-linux"), x86);
    f.evaluation(js, "r2", Optional.of("aarch64-linux"), arm);
    // Fed before any SBOM names its system, then named by a newer evaluation.
    f.evaluation(js, "r3", later);
    assertEquals(new RebuildQueue.Counts(3, 0, 0), await(q.counts()), "fed: \"later\" has no system yet");
    f.evaluation(js, "r4", Optional.of("aarch64-linux"), later);
    f.evaluation(js, "r5", unknown);

    List<RebuildQueue.Job> forAlice = await(q.pop(alice.id(), of("x86_64-linux", 10), Optional.empty()));
    assertEquals(Set.of(QueueFixture.drvOf(x86), QueueFixture.drvOf(unknown)), Set.copyOf(drvs(forAlice)),
        "an x86_64-linux builder: its system's jobs and those of no known system");
    assertEquals(Optional.of("x86_64-linux"), forAlice.stream().filter(j -> j.outputs().contains(x86)).findFirst().orElseThrow().system());
    assertEquals(Optional.empty(), forAlice.stream().filter(j -> j.outputs().contains(unknown)).findFirst().orElseThrow().system());
    List<RebuildQueue.Job> forBob = await(q.pop(bob.id(), of("aarch64-linux", 10), Optional.empty()));
    assertEquals(Set.of(QueueFixture.drvOf(arm), QueueFixture.drvOf(later)), Set.copyOf(drvs(forBob)));
    assertTrue(forBob.stream().allMatch(j -> j.system().equals(Optional.of("aarch64-linux"))), forBob.toString());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aDoneJobComesBackWhenALaterBuilderDisagrees(Dialect d) throws Exception {
    Given g = given(d, 60_000);
    QueueFixture f = g.f();
    RebuildQueue q = g.q();
    User carol = f.user("carol");
    User dave = f.user("dave");
    String x = g.x();
    f.attest(g.alice(), x, QueueFixture.HASH_A);
    f.attest(g.bob(), x, QueueFixture.HASH_A);
    assertEquals(List.of(), pop(q, carol, 1), "reproduced: nothing to build");
    assertEquals(new RebuildQueue.Counts(0, 0, 1), await(q.counts()));

    f.attest(carol, x, QueueFixture.HASH_B);
    assertEquals(new RebuildQueue.Counts(1, 0, 0), await(q.counts()), "carol disagrees: the job needs a tie-break again");
    assertEquals(List.of(), pop(q, carol, 1), "never to a builder that attested it");
    assertEquals(List.of(QueueFixture.drvOf(x)), drvs(pop(q, dave, 1)), "the tie-break goes to a builder with no opinion yet");
    f.attest(dave, x, QueueFixture.HASH_A);
    assertEquals(new RebuildQueue.Counts(1, 0, 0), await(q.counts()), "still partially reproduced (A, A, B, A)");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void reproducedMeansWhatTheReportsSayEachBuildersLatestVote(Dialect d) throws Exception {
    Given g = given(d, 60_000);
    // Alice first reports B, then corrects herself to A; Bob reports A: their latest votes agree.
    g.f().attest(g.alice(), g.x(), QueueFixture.HASH_B);
    g.f().attest(g.alice(), g.x(), QueueFixture.HASH_A);
    g.f().attest(g.bob(), g.x(), QueueFixture.HASH_A);
    assertEquals(Status.REPRODUCED, await(new OutputVotes(tdb.db()).of(StorePath.parse(g.x()), false).map(Status::of)));
    assertEquals(List.of(), pop(g.q(), g.f().user("carol"), 1), "the queue agrees with the reports");
    assertEquals(new RebuildQueue.Counts(0, 0, 1), await(g.q().counts()));
  }
}
