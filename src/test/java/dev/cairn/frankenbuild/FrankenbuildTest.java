package dev.cairn.frankenbuild;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.castore.PathComponent;
import dev.cairn.db.Dialect;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.NarInfo;
import dev.cairn.nix.NarWriter;
import dev.cairn.nix.RealNix;
import dev.cairn.nix.StorePath;
import dev.cairn.server.TestServer;
import dev.cairn.store.ClosureConflictException;
import dev.cairn.store.PathInfo;
import dev.cairn.store.StorePathDigest;
import dev.cairn.users.User;
import dev.cairn.users.UserService;
import dev.cairn.users.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Frankenbuild detection end to end (issue 9). Real Nix 2.8 builds one input-addressed
 * derivation twice in two chroot stores; its builder writes random bytes, so the
 * "same" path {@code dep} gets two contents, and {@code top}, which refers to dep, is built
 * against each. Two Cairn instances receive one closure each (plain {@code nix copy --to}); a
 * third and a fourth receive dep from both (the second content refused and recorded), then
 * top: the warn instance stores it and its closure-check reports the edge top → dep with the
 * evidence, the reject instance refuses top (Nix's upload fails; the 409 names the edge).
 * Attestations that disagree on dep are evidence too, and so is this store's own record of dep
 * changing under top.
 */
class FrankenbuildTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  Path tmp;

  /**
   * Four instances and two Nix builds take a while: this runs on the embedded default (SQLite);
   * the queries behind it run on both dialects in the other tests here.
   */
  @Test
  void twoContentsOfOneReferenceMakeAConflictingEdgeAndRejectModeRefusesTheReferrer() throws Exception {
    Dialect dialect = Dialect.SQLITE;
    TwoBuilds builds = TwoBuilds.in(tmp);
    RealNix one = builds.one();
    RealNix two = builds.two();
    String top = builds.top();
    String dep = builds.dep();
    JsonObject topInfo = builds.topInfo();
    Hash depFirst = builds.depFirst();
    Hash depSecond = builds.depSecond();

    try (TestServer a = TestServer.start(dialect); TestServer b = TestServer.start(dialect);
         TestServer warn = TestServer.start(dialect);
         TestServer reject = TestServer.start(dialect, Map.of("CAIRN_CACHE_FRANKENBUILD", "reject"))) {
      // Each builder's closure reaches its own cache with plain nix copy.
      copyTo(tmp, one, a, top);
      copyTo(tmp, two, b, top);

      for (TestServer third : List.of(warn, reject)) {
        String token = third.createUser("pusher", Role.WRITER);
        // dep from both: the second content is refused and kept as evidence.
        assertEquals(200, pull(a, third, token, dep).statusCode());
        HttpResponse<String> second = pull(b, third, token, dep);
        assertEquals(409, second.statusCode(), second.body());
        assertTrue(second.body().contains("immutable"), second.body());
      }

      // warn: top is stored (Nix uploads it; dep is there already), logged and counted.
      copyTo(tmp, one, warn, top);
      JsonObject stored = json(get(warn, "/api/v1/paths/" + hashPart(top)));
      assertEquals(top, stored.getString("store_path"));
      assertEquals(Hash.parse(topInfo.getString("narHash")).toNixString(), stored.getString("nar_hash"));
      assertEquals(topInfo.getLong("narSize"), stored.getLong("nar_size"));
      assertEquals(topInfo.getString("deriver"), stored.getString("deriver"));
      assertNull(stored.getString("ca"));
      assertTrue(stored.getJsonArray("signatures").isEmpty(), "a local build is unsigned: " + stored);
      assertEquals("file", stored.getJsonObject("node").getString("type"));
      JsonObject depRef = stored.getJsonArray("references").getJsonObject(0);
      assertEquals(dep, depRef.getString("store_path"));
      JsonObject depStored = json(get(warn, "/api/v1/paths/" + hashPart(dep)));
      assertEquals(depStored.getJsonObject("node"), depRef.getJsonObject("node"), "top's reference is known by dep's content");
      assertEquals(depFirst.toNixString(), depStored.getString("nar_hash"));

      JsonObject check = json(get(warn, "/api/v1/paths/" + hashPart(top) + "/closure-check"));
      assertTrue(check.getBoolean("conflicting"), check.encodePrettily());
      assertFalse(check.getBoolean("truncated"));
      assertEquals(2, check.getInteger("checked_paths"), "top and dep");
      assertEquals(1, check.getJsonArray("conflicts").size(), check.encodePrettily());
      JsonObject edge = check.getJsonArray("conflicts").getJsonObject(0);
      assertEquals(top, edge.getString("referrer"));
      assertEquals(dep, edge.getString("reference"));
      assertEquals(depRef.getJsonObject("node"), edge.getJsonObject("built_against"));
      assertEquals(depFirst.toNixString(), edge.getJsonObject("held").getString("nar_hash"));
      JsonObject claim = edge.getJsonArray("evidence").getJsonObject(0);
      assertEquals("upload", claim.getString("source"), edge.encodePrettily());
      assertEquals("pusher", claim.getString("claimant"));
      assertEquals(depSecond.toNixString(), claim.getString("nar_hash"));
      assertNotEquals(edge.getJsonObject("built_against"), claim.getJsonObject("node"));
      assertTrue(claim.getJsonArray("differences").contains("narinfo.nar_sha256"), claim.encode());
      String metrics = get(warn, "/metrics").body();
      assertTrue(metrics.contains("cairn_frankenbuild_candidates_total{action=\"warned\"} 1.0"), metrics);

      // dep itself refers to nothing: nothing to doubt below it.
      JsonObject depCheck = json(get(warn, "/api/v1/paths/" + hashPart(dep) + "/closure-check"));
      assertFalse(depCheck.getBoolean("conflicting"), depCheck.encode());
      assertEquals(1, depCheck.getInteger("checked_paths"));
      assertEquals(404, get(warn, "/api/v1/paths/" + "0".repeat(32)).statusCode());
      assertEquals(404, get(warn, "/api/v1/paths/" + "0".repeat(32) + "/closure-check").statusCode());
      HttpResponse<String> malformed = get(warn, "/api/v1/paths/" + "e".repeat(32));
      assertEquals(400, malformed.statusCode());
      assertTrue(malformed.body().contains("hash"), malformed.body());
      assertEquals(400, get(warn, "/api/v1/paths/short/closure-check").statusCode());

      // reject: Nix's upload of top fails, nothing is stored, the 409 names the edge with the evidence.
      RealNix.Result refused = one.run("nix", "copy", "--from", one.store(), "--to", reject.baseUrl() + "?compression=none",
          "--option", "netrc-file", netrc(tmp, reject, "nix-pusher").toString(), top);
      assertNotEquals(0, refused.exit(), refused.stderr());
      assertTrue(refused.stderr().contains("409"), refused.stderr());
      assertEquals(404, get(reject, "/" + hashPart(top) + ".narinfo").statusCode());
      HttpResponse<String> byHand = pull(a, reject, reject.createUser("hand", Role.WRITER), top);
      assertEquals(409, byHand.statusCode(), byHand.body());
      JsonObject body = new JsonObject(byHand.body());
      assertTrue(body.getString("detail").contains(StorePath.parse(top).baseName() + " refers to " + StorePath.parse(dep).baseName()),
          body.getString("detail"));
      JsonObject refusedEdge = body.getJsonObject("closure_check").getJsonArray("conflicts").getJsonObject(0);
      assertEquals(dep, refusedEdge.getString("reference"));
      assertEquals(depSecond.toNixString(), refusedEdge.getJsonArray("evidence").getJsonObject(0).getString("nar_hash"));
      assertEquals(404, get(reject, "/api/v1/paths/" + hashPart(top)).statusCode());
      String rejectMetrics = get(reject, "/metrics").body();
      assertTrue(Pattern.compile("cairn_frankenbuild_candidates_total\\{action=\"refused\"} [2-9]\\.0").matcher(rejectMetrics).find(), rejectMetrics);
      // A (never conflicting) instance reports no conflict for the same closure.
      assertFalse(json(get(a, "/api/v1/paths/" + hashPart(top) + "/closure-check")).getBoolean("conflicting"));
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void attestationsThatDisagreeOnAReferenceAreEvidence(Dialect dialect) throws Exception {
    StorePath dep = StorePath.parseBaseName("0a5gd045z0d4icpbc2yyz4gx48ak44la-dep");
    StorePath top = StorePath.parseBaseName("1b5gd045z0d4icpbc2yyz4gx48ak44la-top");
    StorePath app = StorePath.parseBaseName("2c5gd045z0d4icpbc2yyz4gx48ak44la-app");
    byte[] depNar = nar("dep as built by alice " + tmp);
    byte[] otherDepNar = nar("dep as built by bob " + tmp);
    try (TestServer server = TestServer.start(dialect, Map.of("CAIRN_CACHE_FRANKENBUILD", "reject"))) {
      String token = server.createUser("pusher", Role.WRITER);
      assertEquals(200, upload(server, token, dep, depNar, List.of()).statusCode());
      assertEquals(200, upload(server, token, top, nar(dep.fullPath() + " in top"), List.of(dep, top)).statusCode());

      // One builder agrees with the content held: no doubt.
      String alice = server.createUser("alice", Role.WRITER);
      String bob = server.createUser("bob", Role.WRITER);
      attest(server, alice, dep, sha256(depNar));
      assertFalse(json(get(server, "/api/v1/paths/" + top.hashPart() + "/closure-check")).getBoolean("conflicting"));

      // Another builder got other bytes for dep: top's edge to dep is in doubt.
      attest(server, bob, dep, sha256(otherDepNar));
      JsonObject check = json(get(server, "/api/v1/paths/" + top.hashPart() + "/closure-check"));
      assertTrue(check.getBoolean("conflicting"), check.encodePrettily());
      JsonObject edge = check.getJsonArray("conflicts").getJsonObject(0);
      assertEquals(1, check.getJsonArray("conflicts").size(), "the self-reference is no edge to doubt: " + check.encodePrettily());
      assertEquals(top.fullPath(), edge.getString("referrer"));
      assertEquals(dep.fullPath(), edge.getString("reference"));
      Map<String, String> votes = new java.util.TreeMap<>();
      for (Object o : edge.getJsonArray("evidence")) {
        JsonObject x = (JsonObject) o;
        assertEquals("attestation", x.getString("source"), x.encode());
        votes.put(x.getString("builder"), x.getString("output_hash"));
      }
      assertEquals(Map.of("alice", sha256(depNar).toNixString(), "bob", sha256(otherDepNar).toNixString()), votes);

      // reject: a new path on dep is refused with that evidence; nothing is stored.
      HttpResponse<String> refused = upload(server, token, app, nar(dep.fullPath() + " in app"), List.of(dep));
      assertEquals(409, refused.statusCode(), refused.body());
      JsonObject refusedEdge = new JsonObject(refused.body()).getJsonObject("closure_check").getJsonArray("conflicts").getJsonObject(0);
      assertEquals(app.fullPath(), refusedEdge.getString("referrer"));
      assertEquals("attestation", refusedEdge.getJsonArray("evidence").getJsonObject(0).getString("source"));
      assertEquals(404, get(server, "/api/v1/paths/" + app.hashPart()).statusCode());
      // The gate sits where every new path enters (a gRPC PathInfo Put goes the same way): app
      // with top's content (in castore already) is refused there too.
      PathInfo stored = await(server.server().store().pathInfos().get(StorePathDigest.of(top))).orElseThrow();
      PathInfo offered = PathInfo.withUnresolvedReferences(app, stored.node().withName(PathComponent.of(app.baseNameBytes())),
          stored.narSize(), stored.narSha256(), List.of(), Optional.empty(), Optional.empty(), List.of(dep));
      User pusher = await(new UserService(server.server().db()).authenticate(token)).orElseThrow();
      ExecutionException viaStore = assertThrows(ExecutionException.class, () -> await(server.server().store().uploads().accept(offered, pusher)));
      ClosureConflictException conflict = assertInstanceOf(ClosureConflictException.class, viaStore.getCause());
      assertTrue(conflict.getMessage().contains(app.baseName() + " refers to " + dep.baseName()), conflict.getMessage());
      assertEquals(dep.fullPath(), conflict.evidence().getJsonArray("conflicts").getJsonObject(0).getString("reference"));
      assertEquals(404, get(server, "/api/v1/paths/" + app.hashPart()).statusCode());

      // dep deleted and stored again with bob's bytes: top was built against what is no longer held.
      assertTrue(await(server.server().store().pathInfos().delete(StorePathDigest.of(dep))));
      assertEquals(200, upload(server, token, dep, otherDepNar, List.of()).statusCode());
      JsonObject after = json(get(server, "/api/v1/paths/" + top.hashPart() + "/closure-check"));
      JsonObject changed = after.getJsonArray("conflicts").getJsonObject(0).getJsonArray("evidence").getJsonObject(0);
      assertEquals("store", changed.getString("source"), after.encodePrettily());
      assertEquals("reference_content_changed", changed.getString("kind"));
      assertNotEquals(changed.getJsonObject("recorded_node"), changed.getJsonObject("held_node"));
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aClosureCheckStopsAtItsBoundAndSaysSo(Dialect dialect) throws Exception {
    try (TestServer server = TestServer.start(dialect, Map.of("CAIRN_CACHE_CLOSURE_CHECK_MAX_PATHS", "3"))) {
      String token = server.createUser("pusher", Role.WRITER);
      List<StorePath> chain = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        StorePath p = StorePath.parseBaseName(i + "d5gd045z0d4icpbc2yyz4gx48ak44la-link" + i);
        assertEquals(200, upload(server, token, p, nar("link " + i + " " + tmp), chain.isEmpty() ? List.of() : List.of(chain.get(i - 1)))
            .statusCode());
        chain.add(p);
      }
      JsonObject bounded = json(get(server, "/api/v1/paths/" + chain.get(4).hashPart() + "/closure-check"));
      assertEquals(3, bounded.getInteger("checked_paths"), bounded.encode());
      assertTrue(bounded.getBoolean("truncated"), bounded.encode());
      JsonObject whole = json(get(server, "/api/v1/paths/" + chain.get(2).hashPart() + "/closure-check"));
      assertEquals(3, whole.getInteger("checked_paths"), whole.encode());
      assertFalse(whole.getBoolean("truncated"), whole.encode());
    }
  }

  // ---- helpers ----

  /** {@code nix copy --to} the server, with a new writer's token in a netrc under {@code tmp}. */
  static void copyTo(Path tmp, RealNix nix, TestServer server, String path) throws Exception {
    nix.ok("nix", "copy", "--from", nix.store(), "--to", server.baseUrl() + "?compression=none", "--option", "netrc-file",
        netrc(tmp, server, "nix-" + server.port()).toString(), path);
  }

  private static Path netrc(Path tmp, TestServer server, String user) throws Exception {
    return Files.writeString(tmp.resolve(user + ".netrc"), "machine 127.0.0.1 login x password " + server.createUser(user, Role.WRITER) + "\n");
  }

  /** What a pull-through does by hand: the narinfo and NAR from one Cairn, uploaded to another. */
  private static HttpResponse<String> pull(TestServer from, TestServer to, String token, String path) throws Exception {
    HttpResponse<String> narinfo = get(from, "/" + hashPart(path) + ".narinfo");
    assertEquals(200, narinfo.statusCode(), narinfo.body());
    NarInfo info = NarInfo.parse(narinfo.body());
    byte[] nar = HTTP.send(HttpRequest.newBuilder(URI.create(from.baseUrl() + "/" + info.url())).build(),
        HttpResponse.BodyHandlers.ofByteArray()).body();
    HttpResponse<String> narPut = put(to, "/nar/" + sha256(nar).toNix32() + ".nar", token, nar);
    assertEquals(200, narPut.statusCode(), narPut.body());
    String body = narinfo.body().replaceAll("(?m)^URL: .*$", "URL: nar/" + sha256(nar).toNix32() + ".nar");
    return put(to, "/" + hashPart(path) + ".narinfo", token, body.getBytes(StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> upload(TestServer server, String token, StorePath path, byte[] nar, List<StorePath> refs)
      throws Exception {
    Hash h = sha256(nar);
    assertEquals(200, put(server, "/nar/" + h.toNix32() + ".nar", token, nar).statusCode());
    List<String> names = new ArrayList<>();
    refs.forEach(r -> names.add(r.baseName()));
    String narinfo = "StorePath: " + path.fullPath() + "\nURL: nar/" + h.toNix32() + ".nar\nCompression: none\nNarHash: " + h.toNixString()
        + "\nNarSize: " + nar.length + "\nReferences: " + String.join(" ", names) + "\n";
    return put(server, "/" + path.hashPart() + ".narinfo", token, narinfo.getBytes(StandardCharsets.UTF_8));
  }

  private static void attest(TestServer server, String token, StorePath output, Hash hash) throws Exception {
    JsonArray body = new JsonArray().add(new JsonObject().put("output_digest", output.hashPart()).put("output_name", output.name())
        .put("output_hash", hash.toNixString()).put("output_sig", ""));
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/attestation/3d5gd045z0d4icpbc2yyz4gx48ak44la-dep"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
  }

  private byte[] nar(String content) throws Exception {
    Path f = Files.createTempFile(tmp, "nar", "");
    Files.writeString(f, content);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    NarWriter.dump(f, out);
    return out.toByteArray();
  }

  private static Hash sha256(byte[] bytes) {
    return new Hash(HashAlgorithm.SHA256, HashAlgorithm.SHA256.newDigest().digest(bytes));
  }

  static String hashPart(String path) {
    return StorePath.parse(path).hashPart();
  }

  static JsonObject json(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    return new JsonObject(r.body());
  }

  static HttpResponse<String> get(TestServer server, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> put(TestServer server, String path, String token, byte[] body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).header("Authorization", "Bearer " + token)
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
