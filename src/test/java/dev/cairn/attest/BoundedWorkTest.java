package dev.cairn.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.server.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The caps of conf/cairn.yaml's attest section, and the writer's fairness: a large batch is
 * refused above its cap, and one at the cap does not starve other builders. Each test runs
 * its own server with the caps it exercises, on both dialects.
 */
class BoundedWorkTest {
  private static int counter;

  private static synchronized String hashPart() {
    return ReportScaleTest.hashPart(++counter, 4242);
  }

  private static String entries(int n, String name) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      String out = hashPart();
      b.append(i == 0 ? "" : ",").append("{\"drv_ident\":\"").append(hashPart()).append('-').append(name).append("\",\"outputs\":[{\"output_digest\":\"")
          .append(out).append("\",\"output_name\":\"").append(name).append("\",\"output_hash\":\"").append(ReportScaleTest.sha256(i))
          .append("\",\"output_sig\":\"\"}]}");
    }
    return b.append(']').toString();
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aBatchOfFourHundredThousandEntriesIsRefusedAboveTheCapAndWritesNothing(Dialect d) throws Exception {
    // Bytes allowed, so that the entries cap (not the body size) is what refuses it.
    try (TestServer server = TestServer.start(d, Map.of("CAIRN_ATTEST_MAX_BATCH_BYTES", "2147483648"))) {
      AttestClient c = new AttestClient(server);
      String token = c.user("huge");
      Map<String, Long> before = c.counts();
      String body = entries(400_000, "h");
      HttpResponse<String> r = c.post("/api/v1/attestations", body, token);
      assertEquals(413, r.statusCode(), r.body());
      String detail = new JsonObject(r.body()).getString("detail");
      assertTrue(detail.contains("attest.max_batch_entries") && detail.contains("100000"), detail);
      // NDJSON is counted before it is parsed, too.
      String ndjson = body.substring(1, body.length() - 1).replace("]},{", "]}\n{");
      HttpResponse<String> nd = c.post("/api/v1/attestations", ndjson, token);
      assertEquals(413, nd.statusCode(), nd.body());
      assertEquals(before, c.counts());
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aBatchAtTheCapDoesNotStarveASinglePostAndIsPublishedWhole(Dialect d) throws Exception {
    int cap = 20_000;
    try (TestServer server = TestServer.start(d, Map.of("CAIRN_ATTEST_MAX_BATCH_ENTRIES", String.valueOf(cap),
        "CAIRN_ATTEST_BATCH_TRANSACTION_ROWS", "200"))) {
      AttestClient c = new AttestClient(server);
      String big = c.user("big");
      String small = c.user("small");
      var db = server.server().db();
      String body = entries(cap, "big");
      HttpRequest batch = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/v1/attestations"))
          .header("Authorization", "Bearer " + big).POST(HttpRequest.BodyPublishers.ofString(body)).build();
      CompletableFuture<HttpResponse<String>> batchDone = HttpClient.newHttpClient().sendAsync(batch, HttpResponse.BodyHandlers.ofString());
      // Wait until the batch is being written: its first parts are staged, none published.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (count(db, "attestation_staging") == 0) {
        assertFalse(batchDone.isDone(), "the batch finished before it was seen staging: " + (batchDone.isDone() ? batchDone.get().body() : ""));
        assertTrue(System.nanoTime() < deadline, "batch never started staging");
        Thread.sleep(5);
      }
      assertEquals(0, count(db, "attestations"), "nothing of the batch is visible while it is staged");
      String out = hashPart();
      long start = System.nanoTime();
      HttpResponse<String> single = c.post("/attestation/" + hashPart() + "-small", AttestClient.body(out, "small", ReportScaleTest.sha256(1), "")
          .encode(), small);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      boolean batchStillRunning = !batchDone.isDone();
      assertEquals(200, single.statusCode(), single.body());
      assertTrue(batchStillRunning, "the single POST (" + millis + " ms) had to wait for the whole batch");
      assertTrue(count(db, "attestation_staging") > 0, "the single POST committed between parts of the batch");
      assertEquals(1, count(db, "attestations"), "only the single POST is visible while the batch is staged");
      HttpResponse<String> r = batchDone.get(120, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(cap, new JsonObject(r.body()).getInteger("accepted"));
      assertEquals(cap + 1, count(db, "attestations"));
      assertEquals(0, count(db, "attestation_staging"), "staging emptied on publish");
      assertEquals(0, count(db, "attestation_batches"));
      // Idempotent like the small path: the same batch again adds nothing.
      HttpResponse<String> again = c.post("/api/v1/attestations", body, big);
      assertEquals(200, again.statusCode(), again.body());
      assertEquals(cap + 1, count(db, "attestations"));
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void oneBuildersBadBodiesNeverFailAnotherBuildersConcurrentPosts(Dialect d) throws Exception {
    try (TestServer server = TestServer.start(d)) {
      AttestClient c = new AttestClient(server);
      String a = c.user("good-a");
      String b = c.user("bad-b");
      String[] poison = {"\u0000", "\n", "\r"};
      List<java.util.concurrent.Callable<HttpResponse<String>>> good = new ArrayList<>();
      List<java.util.concurrent.Callable<HttpResponse<String>>> bad = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        String out = hashPart();
        String drv = hashPart() + "-g";
        int n = i;
        good.add(() -> c.post("/attestation/" + drv, AttestClient.body(out, "g", ReportScaleTest.sha256(n), "").encode(), a));
        String p = poison[i % poison.length];
        String field = new String[] {"output_sig", "output_hash", "output_name"}[i % 3];
        String badBody = AttestClient.body(hashPart(), "b", ReportScaleTest.sha256(n), "").encode()
            .replaceFirst("(\"" + field + "\":\")", "$1" + java.util.regex.Matcher.quoteReplacement(p));
        bad.add(() -> c.post("/attestation/" + hashPart() + "-b", badBody, b));
      }
      List<java.util.concurrent.Callable<HttpResponse<String>>> all = new ArrayList<>();
      for (int i = 0; i < good.size(); i++) {
        all.add(good.get(i));
        all.add(bad.get(i));
      }
      ExecutorService pool = Executors.newFixedThreadPool(16);
      List<Future<HttpResponse<String>>> results;
      try {
        results = pool.invokeAll(all);
      } finally {
        pool.shutdown();
      }
      for (int i = 0; i < results.size(); i++) {
        HttpResponse<String> r = results.get(i).get();
        assertEquals(i % 2 == 0 ? 200 : 422, r.statusCode(), r.body());
      }
      assertEquals(300, count(server.server().db(), "attestations"), "every one of A's attestations, none of B's");
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void reportVersionsComponentsDependenciesOutputsAndTextAreCapped(Dialect d) throws Exception {
    try (TestServer server = TestServer.start(d, Map.of("CAIRN_ATTEST_MAX_REPORT_VERSIONS", "2", "CAIRN_ATTEST_MAX_REPORT_COMPONENTS", "3",
        "CAIRN_ATTEST_MAX_REPORT_DEPENDENCIES", "3", "CAIRN_ATTEST_MAX_OUTPUTS_PER_ENTRY", "2", "CAIRN_ATTEST_MAX_TEXT_LENGTH", "100",
        "CAIRN_ATTEST_MAX_REPORT_BYTES", "4096"))) {
      AttestClient c = new AttestClient(server);
      String token = c.user("capped");
      String out = hashPart();
      JsonObject sbom = new JsonObject().put("bomFormat", "CycloneDX").put("metadata", new JsonObject().put("component",
          new JsonObject().put("bom-ref", "root").put("properties", new JsonArray().add(new JsonObject().put("name", "nix:out_path")
              .put("value", "/nix/store/" + out + "-r")))));
      assertEquals(200, c.send("PUT", "/reports/v", sbom.encode(), token, null).statusCode());
      assertEquals(200, c.send("PUT", "/reports/v", sbom.encode(), token, null).statusCode());
      Map<String, Long> before = c.counts();
      expect(c.send("PUT", "/reports/v", sbom.encode(), token, null), 422, "attest.max_report_versions");
      assertEquals(before, c.counts());

      JsonArray four = new JsonArray();
      for (int i = 0; i < 4; i++) {
        four.add(new JsonObject().put("bom-ref", "c" + i));
      }
      expect(c.send("PUT", "/reports/w", sbom.copy().put("components", four).encode(), token, null), 413, "attest.max_report_components");
      JsonArray deps = new JsonArray().add(new JsonObject().put("ref", "root").put("dependsOn", new JsonArray().add("a").add("b").add("c").add("e")));
      expect(c.send("PUT", "/reports/w", sbom.copy().put("dependencies", deps).encode(), token, null), 413, "attest.max_report_dependencies");
      expect(c.send("PUT", "/reports/w", sbom.copy().put("padding", "x".repeat(5000)).encode(), token, null), 413, "body");

      JsonArray three = new JsonArray();
      for (int i = 0; i < 3; i++) {
        three.add(AttestClient.body(hashPart(), "o", ReportScaleTest.sha256(i), "").getJsonObject(0));
      }
      expect(c.post("/attestation/" + hashPart() + "-o", three.encode(), token), 413, "attest.max_outputs_per_entry");
      expect(c.post("/api/v1/attestations", new JsonArray().add(new JsonObject().put("drv_ident", hashPart() + "-o").put("outputs", three)).encode(),
          token), 413, "attest.max_outputs_per_entry");
      expect(c.post("/link_patterns?pattern=" + "x".repeat(101) + "&link=y", null, token), 422, "attest.max_text_length");
      expect(c.send("PUT", "/reports/w", sbom.copy().put("components", new JsonArray().add(new JsonObject().put("bom-ref", "r".repeat(101))))
          .encode(), token, null), 422, "attest.max_text_length");
      assertEquals(before, c.counts());
    }
  }

  private static void expect(HttpResponse<String> r, int status, String limit) {
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(new JsonObject(r.body()).getString("detail").contains(limit), r.body());
  }

  private static long count(dev.cairn.db.Database db, String table) throws Exception {
    return TestDatabase.await(db.queryOne("SELECT COUNT(*) AS n FROM " + table)).orElseThrow().getLong("n");
  }
}
