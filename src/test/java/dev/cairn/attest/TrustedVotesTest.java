package dev.cairn.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.nix.Hash;
import dev.cairn.nix.NarInfo;
import dev.cairn.nix.SecretKey;
import dev.cairn.nix.StorePath;
import dev.cairn.users.UserName;
import dev.cairn.users.UserService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Verdicts count what can be trusted: one verified vote per key, no votes of revoked users. */
class TrustedVotesTest extends ServersOnBothDialects {
  private static final String H1 = LilaRoutesTest.SHA_NIX;
  private static final String H2 = "sha256:" + "1".repeat(52);

  private record Builder(String name, String token, long id) {}

  private Builder builder(AttestClient c, String name) throws Exception {
    UserService.Created u = TestDatabase.await(new UserService(c.server.server().db()).create(new UserName(name), Optional.empty()));
    return new Builder(name, u.token(), u.user().id());
  }

  /** A report of root → dep. */
  private String report(AttestClient c, Builder by, String name, String root, String dep) throws Exception {
    JsonObject sbom = new JsonObject()
        .put("bomFormat", "CycloneDX").put("metadata", new JsonObject().put("component", new JsonObject().put("bom-ref", "root").put("properties", new JsonArray()
            .add(new JsonObject().put("name", "nix:out_path").put("value", "/nix/store/" + root + "-root")))))
        .put("components", new JsonArray().add(new JsonObject().put("bom-ref", "dep").put("properties", new JsonArray()
            .add(new JsonObject().put("name", "nix:out_path").put("value", "/nix/store/" + dep + "-dep")))))
        .put("dependencies", new JsonArray().add(new JsonObject().put("ref", "root").put("dependsOn", new JsonArray().add("dep"))));
    HttpResponse<String> r = c.send("PUT", "/reports/" + name, sbom.encode(), by.token(), null);
    assertEquals(200, r.statusCode(), r.body());
    return name;
  }

  /** An attestation signed over Nix's fingerprint (with NAR size and references), so it is checked. */
  private void signed(AttestClient c, Builder by, SecretKey key, String out, String name, String hash) throws Exception {
    StorePath path = StorePath.parseBaseName(out + "-" + name);
    String sig = key.sign(NarInfo.fingerprint(path, Hash.parse(hash), 1000, List.of())).toString();
    JsonObject o = new JsonObject().put("output_digest", out).put("output_name", name).put("output_hash", hash).put("output_sig", sig)
        .put("nar_size", 1000).put("references", new JsonArray());
    HttpResponse<String> r = c.post("/attestation/" + hashPart() + "-" + name, new JsonArray().add(o).encode(), by.token());
    assertEquals(200, r.statusCode(), r.body());
  }

  private void unsigned(AttestClient c, Builder by, String out, String name, String hash) throws Exception {
    HttpResponse<String> r = c.post("/attestation/" + hashPart() + "-" + name, AttestClient.body(out, name, hash, "").encode(), by.token());
    assertEquals(200, r.statusCode(), r.body());
  }

  private static JsonObject json(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }

  /** name → verified, over all clusters of one path's JSON. */
  private static java.util.Map<String, Boolean> verified(JsonObject path) {
    java.util.Map<String, Boolean> out = new java.util.TreeMap<>();
    for (Object cl : path.getJsonArray("clusters")) {
      for (Object b : ((JsonObject) cl).getJsonArray("builders")) {
        out.put(((JsonObject) b).getString("name"), ((JsonObject) b).getBoolean("verified"));
      }
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void oneKeyHeldByTwoUsersFromBeforeOwnershipIsOneVerifiedVote(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    Builder alice = builder(c, "k-alice-" + d);
    Builder bob = builder(c, "k-bob-" + d);
    Builder carol = builder(c, "k-carol-" + d);
    SecretKey thirdParty = SecretKey.generate("third-party-" + d + "-1");
    // Both hold one third party's key, as POST /api/v1/keys allowed before V007: rows written directly.
    for (Builder b : List.of(alice, bob)) {
      TestDatabase.await(c.server.server().db().update("INSERT INTO user_keys (user_id, public_key, created_at) VALUES (?, ?, ?)",
          b.id(), thirdParty.toPublicKey().toString(), 1L));
    }
    SecretKey carols = SecretKey.generate("carol-" + d + "-1");
    assertEquals(200, c.registerKey(carol.token(), carols).statusCode());
    String root = hashPart();
    String dep = hashPart();
    String name = report(c, alice, "one-key-" + d, root, dep);
    // The same signature, posted by both: each verifies at ingestion under the key each holds.
    signed(c, alice, thirdParty, root, "root", H1);
    signed(c, bob, thirdParty, root, "root", H1);
    signed(c, alice, thirdParty, dep, "dep", H1);
    signed(c, carol, carols, dep, "dep", H1);

    JsonObject twoOfAliceBob = json(c.get("/api/v1/reports/" + name + "?policy=2-of:" + alice.name() + "," + bob.name() + "&verified=true"));
    assertEquals(0, twoOfAliceBob.getInteger("accepted"), "one signature is not two votes: " + twoOfAliceBob.encode());
    JsonObject rootPath = twoOfAliceBob.getJsonArray("paths").stream().map(JsonObject.class::cast)
        .filter(p -> p.getString("ref").equals("root")).findFirst().orElseThrow();
    assertEquals(null, rootPath.getString("accepted"));
    assertEquals(java.util.Map.of(alice.name(), true), verified(rootPath), "verified=true leaves one vote on root");

    JsonObject twoOfAliceCarol = json(c.get("/api/v1/reports/" + name + "?policy=2-of:" + alice.name() + "," + carol.name() + "&verified=true"));
    JsonObject depPath = twoOfAliceCarol.getJsonArray("paths").stream().map(JsonObject.class::cast)
        .filter(p -> p.getString("ref").equals("dep")).findFirst().orElseThrow();
    assertEquals(H1, depPath.getString("accepted"), "two keys, two owners: two verified votes");

    JsonObject output = json(c.get("/api/v1/outputs/" + root + "-root"));
    assertEquals(java.util.Map.of(alice.name(), true, bob.name(), false), verified(output),
        "the later vote made with an already counted key is an unverified vote");
    assertEquals("Successfully reproduced", output.getString("status"), "bob's hash still counts as an (unverified) vote");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aRevokedBuildersVotesNoLongerCountButStayForAudit(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    Builder alice = builder(c, "r-alice-" + d);
    Builder mallory = builder(c, "r-mallory-" + d);
    String root = hashPart();
    String dep = hashPart();
    String name = report(c, alice, "revoked-" + d, root, dep);
    String drv = hashPart();
    for (Builder b : List.of(alice, mallory)) {
      HttpResponse<String> r = c.post("/attestation/" + drv + "-dep", AttestClient.body(dep, "dep", b == alice ? H1 : H2, "").encode(), b.token());
      assertEquals(200, r.statusCode(), r.body());
    }
    unsigned(c, alice, root, "root", H1);
    unsigned(c, mallory, root, "root", H1);
    String policy = "?policy=2-of:" + alice.name() + "," + mallory.name();
    assertEquals("Consistently nondeterministic", json(c.get("/api/v1/outputs/" + dep + "-dep")).getString("status"));
    assertEquals(1, json(c.get("/api/v1/reports/" + name + policy)).getInteger("accepted"), "root is accepted by both");
    assertEquals(1, json(c.get("/api/v1/reports/" + name + "/frankenbuilds")).getInteger("count"), "root depends on a disagreement");
    assertTrue(c.get("/reports/" + name).body().contains("not reproducible: 1 "));

    TestDatabase.await(new UserService(c.server.server().db()).revoke(new UserName(mallory.name())));

    JsonObject output = json(c.get("/api/v1/outputs/" + dep + "-dep"));
    assertEquals("One build", output.getString("status"));
    assertEquals(java.util.Set.of(alice.name()), verified(output).keySet());
    JsonObject report = json(c.get("/api/v1/reports/" + name + policy));
    assertEquals(0, report.getInteger("accepted"), "mallory's agreement on root no longer counts");
    assertEquals(2, report.getJsonObject("counts").getInteger("One build"), report.encode());
    assertEquals(0, json(c.get("/api/v1/reports/" + name + "/frankenbuilds")).getInteger("count"), "no disagreement left");
    JsonObject diff = json(c.get("/api/v1/reports/" + name + "/diff?a=" + alice.name() + "&b=" + mallory.name()));
    assertEquals(0, diff.getJsonObject("disagree").getInteger("count"));
    assertEquals(2, diff.getJsonObject("only_a").getInteger("count"));
    assertEquals(1, new JsonArray(c.get("/attestations/by-output/" + dep + "-dep").body()).size());
    assertEquals(new JsonObject().put("/nix/store/" + dep + "-dep", new JsonObject().put(H1, 1)), json(c.get("/derivations/" + drv + "-dep")));
    String narinfo = "/signatures/" + mallory.name() + "/" + dep + ".narinfo";
    assertEquals(401, c.get(narinfo).statusCode(), "a revoked builder's signatures are not served as theirs");
    assertTrue(c.get("/reports/" + name).body().contains("not reproducible: 0 "), "the text report counts no revoked vote");

    // The rows stay, for audit.
    JsonObject audit = json(c.get("/api/v1/outputs/" + dep + "-dep?include_revoked=true"));
    assertEquals("Consistently nondeterministic", audit.getString("status"));
    assertEquals(1, json(c.get("/api/v1/reports/" + name + policy + "&include_revoked=true")).getInteger("accepted"));
    assertEquals(1, json(c.get("/api/v1/reports/" + name + "/frankenbuilds?include_revoked=true")).getInteger("count"));
    assertEquals(1, json(c.get("/api/v1/reports/" + name + "/diff?a=" + alice.name() + "&b=" + mallory.name() + "&include_revoked=true"))
        .getJsonObject("disagree").getInteger("count"));
    assertEquals(2, new JsonArray(c.get("/attestations/by-output/" + dep + "-dep?include_revoked=true").body()).size());
    assertEquals(2, new JsonArray(c.get("/attestations/by-output/" + dep + "-dep?include_revoked=true&limit=10").body()).size());
    assertEquals(2, json(c.get("/derivations/" + drv + "-dep?include_revoked=true")).getJsonObject("/nix/store/" + dep + "-dep").size());
    assertEquals(200, c.get(narinfo + "?include_revoked=true").statusCode());
    HttpResponse<String> bad = c.get("/api/v1/outputs/" + dep + "-dep?include_revoked=yes");
    assertEquals(422, bad.statusCode());
    assertEquals("include_revoked: must be true, false, 1 or 0 (got \"yes\")", new JsonObject(bad.body()).getString("detail"));
    assertTrue(TestDatabase.await(c.server.server().db().query("SELECT id FROM attestations WHERE user_id = ?", mallory.id())).size() == 2, "mallory's rows stay");
  }
}
