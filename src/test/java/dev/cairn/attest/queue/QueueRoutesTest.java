package dev.cairn.attest.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.server.TestServer;
import dev.cairn.users.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The queue over HTTP on both dialects: pop, ping, who may, expiry, completion by an attestation, counts. */
class QueueRoutesTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HttpResponse<String> send(TestServer s, String method, String path, String body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.baseUrl() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject ok(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }

  private static String path(int i, String name) {
    return "/nix/store/" + String.format("%032d", i).replace('0', 'a').replace('1', 'b').replace('2', 'c').replace('3', 'd') + "-" + name;
  }

  private static void attest(TestServer s, String token, String out, String hash) throws Exception {
    String base = out.substring("/nix/store/".length());
    ok(send(s, "POST", "/api/v1/attestations", new JsonArray().add(new JsonObject().put("drv_ident", base).put("outputs",
        new JsonArray().add(new JsonObject().put("output_digest", base.substring(0, 32)).put("output_name", base.substring(33))
            .put("output_hash", hash).put("output_sig", "")))).encode(), token));
  }

  private static JsonObject counts(TestServer s) throws Exception {
    return ok(send(s, "GET", "/api/v1/queue", null, null));
  }

  private static JsonArray pop(TestServer s, String token, String body) throws Exception {
    return ok(send(s, "POST", "/api/v1/queue/pop", body, token)).getJsonArray("jobs");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void popPingExpiryCompletionAndCounts(Dialect d) throws Exception {
    try (TestServer s = TestServer.start(d, Map.of("CAIRN_ATTEST_QUEUE_LEASE_SECONDS", "2"))) {
      String alice = s.createUser("alice");
      String bob = s.createUser("bob");
      String admin = s.createUser("root", Role.ADMIN);
      long js = ok(send(s, "POST", "/api/jobsets", new JsonObject().put("name", "nixos").encode(), alice)).getLong("id");
      String x = path(1, "x");
      String y = path(2, "y");
      ok(send(s, "PUT", "/api/jobsets/" + js + "/upload-evaluation/r1", QueueFixture.sbom(x, y), alice));
      assertEquals(new JsonObject().put("queued", 2).put("leased", 0).put("done", 0).put("lease_seconds", 2), counts(s));

      JsonArray a = pop(s, alice, "{\"jobset\": \"nixos\", \"system\": \"x86_64-linux\"}");
      assertEquals(1, a.size(), "max defaults to 1");
      JsonObject job = a.getJsonObject(0);
      assertEquals(x + ".drv", job.getString("drv_path"));
      assertEquals(new JsonArray().add(x), job.getJsonArray("outputs"));
      long id = job.getLong("id");
      assertTrue(job.getLong("lease_expires_at") > System.currentTimeMillis());

      // Only the holder renews; another builder gets 403; an unknown job 404.
      assertEquals(403, send(s, "POST", "/api/v1/queue/" + id + "/ping", null, bob).statusCode());
      assertEquals(404, send(s, "POST", "/api/v1/queue/999999/ping", null, bob).statusCode());
      assertEquals(422, send(s, "POST", "/api/v1/queue/x1/ping", null, bob).statusCode());
      assertTrue(ok(send(s, "POST", "/api/v1/queue/" + id + "/ping", null, alice)).getLong("lease_expires_at") > job.getLong("lease_expires_at") - 1);

      JsonArray b = pop(s, bob, "{\"max\": 10}");
      assertEquals(1, b.size(), "x is alice's: bob gets y only");
      assertEquals(y + ".drv", b.getJsonObject(0).getString("drv_path"));
      assertEquals(2L, counts(s).getLong("leased"));

      // Alice's attestation completes her lease: x waits for a second opinion, not from her.
      attest(s, alice, x, QueueFixture.HASH_A);
      assertEquals(409, send(s, "POST", "/api/v1/queue/" + id + "/ping", null, alice).statusCode());
      assertEquals(0, pop(s, alice, "{\"max\": 10}").size());
      JsonObject c = counts(s);
      assertEquals(1L, c.getLong("queued"));
      assertEquals(1L, c.getLong("leased"));

      // Bob's lease on y expires (no ping): y is queued again and goes to alice.
      Thread.sleep(2_200);
      assertEquals(2L, counts(s).getLong("queued"));
      JsonArray again = pop(s, alice, "{\"max\": 10}");
      assertEquals(1, again.size());
      assertEquals(y + ".drv", again.getJsonObject(0).getString("drv_path"));
      assertEquals(403, send(s, "POST", "/api/v1/queue/" + b.getJsonObject(0).getLong("id") + "/ping", null, bob).statusCode());

      // Bob agrees with alice on x: done.
      assertEquals(x + ".drv", pop(s, bob, null).getJsonObject(0).getString("drv_path"));
      attest(s, bob, x, QueueFixture.HASH_A);
      assertEquals(1L, counts(s).getLong("done"));

      // A builder that cannot build a job gives it back at once; only the holder may.
      String z = path(3, "z");
      ok(send(s, "PUT", "/api/jobsets/" + js + "/upload-evaluation/r2", QueueFixture.sbom(Optional.of("aarch64-linux"), z), alice));
      assertEquals(0, pop(s, alice, "{\"system\": \"x86_64-linux\"}").size(), "z is an aarch64-linux job");
      JsonObject zJob = pop(s, alice, "{\"system\": \"aarch64-linux\"}").getJsonObject(0);
      assertEquals("aarch64-linux", zJob.getString("system"), "the system the evaluation's SBOM names");
      assertNull(job.getValue("system"), "x's SBOM named no system");
      long zId = zJob.getLong("id");
      assertEquals(403, send(s, "POST", "/api/v1/queue/" + zId + "/fail", null, bob).statusCode());
      assertEquals(true, ok(send(s, "POST", "/api/v1/queue/" + zId + "/fail", null, alice)).getBoolean("released"));
      assertEquals(0, pop(s, alice, null).size());
      assertEquals(zId, pop(s, bob, null).getJsonObject(0).getLong("id"));

      // Priorities are an admin's; a writer gets 403.
      assertEquals(403, send(s, "PUT", "/api/v1/queue/jobsets/" + js + "/priority", "{\"priority\": 5}", alice).statusCode());
      assertEquals(5, ok(send(s, "PUT", "/api/v1/queue/jobsets/" + js + "/priority", "{\"priority\": 5}", admin)).getInteger("priority"));
      assertEquals(404, send(s, "PUT", "/api/v1/queue/jobsets/424242/priority", "{\"priority\": 5}", admin).statusCode());
      assertEquals(422, send(s, "PUT", "/api/v1/queue/jobsets/" + js + "/priority", "{\"priority\": \"high\"}", admin).statusCode());
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void popAuthenticatesFirstAndParsesStrictly(Dialect d) throws Exception {
    try (TestServer s = TestServer.start(d)) {
      String writer = s.createUser("w");
      String reader = s.createUser("r", Role.READER);
      assertEquals(401, send(s, "POST", "/api/v1/queue/pop", "{}", null).statusCode());
      assertEquals(403, send(s, "POST", "/api/v1/queue/pop", "{}", reader).statusCode());
      assertEquals(401, send(s, "POST", "/api/v1/queue/1/ping", null, null).statusCode());
      Map<String, String> refused = Map.of(
          "{\"max\": 0}", "max:", "{\"max\": 101}", "max:", "{\"max\": 1.5}", "max:", "{\"max\": \"2\"}", "max:",
          "{\"system\": \"x86 64\"}", "system:", "{\"jobset\": 7}", "jobset:", "{\"jobset\": \"a\\u0000b\"}", "jobset:",
          "{\"maxx\": 1}", "maxx:", "[1]", "body:", "{\"max\": 1, \"max\": 2}", "");
      for (Map.Entry<String, String> e : refused.entrySet()) {
        HttpResponse<String> r = send(s, "POST", "/api/v1/queue/pop", e.getKey(), writer);
        assertEquals(422, r.statusCode(), e.getKey() + " -> " + r.body());
        assertTrue(new JsonObject(r.body()).getString("detail").startsWith(e.getValue()), e.getKey() + " -> " + r.body());
      }
      HttpResponse<String> longName = send(s, "POST", "/api/v1/queue/pop", new JsonObject().put("jobset", "j".repeat(201)).encode(), writer);
      assertEquals(422, longName.statusCode());
      assertTrue(new JsonObject(longName.body()).getString("detail").startsWith("jobset:"), longName.body());
      assertEquals(404, send(s, "POST", "/api/v1/queue/pop", "{\"jobset\": \"nope\"}", writer).statusCode());
      assertEquals(0, pop(s, writer, "").size(), "an empty queue answers no jobs");
      assertEquals(0, pop(s, writer, "{}").size());
    }
  }
}
