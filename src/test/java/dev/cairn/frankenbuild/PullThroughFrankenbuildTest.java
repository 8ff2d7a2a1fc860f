package dev.cairn.frankenbuild;

import static dev.cairn.frankenbuild.FrankenbuildTest.copyTo;
import static dev.cairn.frankenbuild.FrankenbuildTest.get;
import static dev.cairn.frankenbuild.FrankenbuildTest.hashPart;
import static dev.cairn.frankenbuild.FrankenbuildTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.nix.Hash;
import dev.cairn.nix.StorePath;
import dev.cairn.server.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Frankenbuild evidence from upstreams, end to end (issue 9): real Nix 2.8 builds {@code dep}
 * (random bytes, so two builds differ) and {@code top} (built against dep) in two chroot stores.
 * Cairn A receives top with its dep, Cairn B only the other dep. A third Cairn, C, has B then A
 * as upstreams (each with its own trusted key) and pulls top: dep comes from B (first in the
 * list), top from A, and A's signed narinfo for dep — what top was built against — claims other
 * content than the dep C now holds. C records that claim (source upstream, origin A) and runs the
 * same Frankenbuild gate as for an upload before keeping top: warn keeps it and reports the edge
 * top → dep in closure-check; reject refuses the pull with the evidence.
 */
class PullThroughFrankenbuildTest {
  @TempDir
  Path tmp;

  /** Four instances and two Nix builds: on the embedded default (SQLite); the evidence queries run on both dialects elsewhere. */
  @Test
  void aPathPulledFromOneUpstreamAgainstAnotherUpstreamsReferenceIsAConflictingEdge() throws Exception {
    Dialect dialect = Dialect.SQLITE;
    TwoBuilds builds = TwoBuilds.in(tmp);
    String top = builds.top();
    String dep = builds.dep();
    Hash depOfA = builds.depFirst();
    Hash depOfB = builds.depSecond();

    try (TestServer a = TestServer.start(dialect); TestServer b = TestServer.start(dialect)) {
      copyTo(tmp, builds.one(), a, top);
      copyTo(tmp, builds.two(), b, dep);
      String upstreams = "[{url: \"" + b.baseUrl() + "\", trusted_public_keys: [\"" + publicKey(b) + "\"]}, "
          + "{url: \"" + a.baseUrl() + "\", trusted_public_keys: [\"" + publicKey(a) + "\"]}]";
      String originA = a.baseUrl() + "/";

      try (TestServer warn = TestServer.start(dialect, Map.of("CAIRN_CACHE_UPSTREAMS", upstreams))) {
        // A substituter's narinfo request pulls top, and dep with it.
        HttpResponse<String> narinfo = get(warn, "/" + hashPart(top) + ".narinfo");
        assertEquals(200, narinfo.statusCode(), narinfo.body());
        assertEquals(depOfB.toNixString(), json(get(warn, "/api/v1/paths/" + hashPart(dep))).getString("nar_hash"), "dep from B, first in the list");

        JsonObject check = json(get(warn, "/api/v1/paths/" + hashPart(top) + "/closure-check"));
        assertTrue(check.getBoolean("conflicting"), check.encodePrettily());
        assertEquals(1, check.getJsonArray("conflicts").size(), check.encodePrettily());
        JsonObject edge = check.getJsonArray("conflicts").getJsonObject(0);
        assertEquals(top, edge.getString("referrer"));
        assertEquals(dep, edge.getString("reference"));
        assertEquals(depOfB.toNixString(), edge.getJsonObject("held").getString("nar_hash"));
        assertEquals(1, edge.getJsonArray("evidence").size(), edge.encodePrettily());
        assertUpstreamClaim(edge.getJsonArray("evidence").getJsonObject(0), originA, depOfA, top);
        String metrics = get(warn, "/metrics").body();
        assertTrue(metrics.contains("cairn_frankenbuild_candidates_total{action=\"warned\"} 1.0"), metrics);
        // A holds one consistent closure: no doubt there.
        assertFalse(json(get(a, "/api/v1/paths/" + hashPart(top) + "/closure-check")).getBoolean("conflicting"));
      }

      try (TestServer reject = TestServer.start(dialect, Map.of("CAIRN_CACHE_UPSTREAMS", upstreams, "CAIRN_CACHE_FRANKENBUILD", "reject"))) {
        HttpResponse<String> refused = get(reject, "/" + hashPart(top) + ".narinfo");
        assertEquals(409, refused.statusCode(), refused.body());
        JsonObject body = new JsonObject(refused.body());
        assertTrue(body.getString("detail").contains(StorePath.parse(top).baseName() + " refers to " + StorePath.parse(dep).baseName()
            + ", whose content is disputed (upstream " + originA + ")"), body.getString("detail"));
        JsonObject edge = body.getJsonObject("closure_check").getJsonArray("conflicts").getJsonObject(0);
        assertEquals(top, edge.getString("referrer"));
        assertEquals(dep, edge.getString("reference"));
        assertUpstreamClaim(edge.getJsonArray("evidence").getJsonObject(0), originA, depOfA, top);
        // top is not kept (the NAR route pulls through the same way and is refused too); dep, with no doubt below it, is.
        assertEquals(404, get(reject, "/api/v1/paths/" + hashPart(top)).statusCode());
        assertEquals(409, get(reject, "/" + hashPart(top) + ".narinfo").statusCode(), "refused again, not remembered as absent");
        assertEquals(200, get(reject, "/api/v1/paths/" + hashPart(dep)).statusCode());
        String metrics = get(reject, "/metrics").body();
        assertTrue(Pattern.compile("cairn_frankenbuild_candidates_total\\{action=\"refused\"} [2-9]\\.0").matcher(metrics).find(), metrics);
      }
    }
  }

  private static void assertUpstreamClaim(JsonObject claim, String origin, Hash narHash, String seenVia) {
    assertEquals("upstream", claim.getString("source"), claim.encode());
    assertEquals("other_content_offered", claim.getString("kind"));
    assertEquals(origin, claim.getString("origin"));
    assertNull(claim.getString("claimant"));
    assertEquals(seenVia, claim.getString("seen_via"));
    assertEquals(narHash.toNixString(), claim.getString("nar_hash"));
    assertNull(claim.getValue("node"), "a narinfo's claim: its NAR was not fetched");
    assertTrue(claim.getJsonArray("differences").contains("narinfo.nar_sha256"), claim.encode());
  }

  private static String publicKey(TestServer server) throws Exception {
    return json(get(server, "/api/v1/cache/public-keys")).getJsonArray("public_keys").getString(0);
  }
}
