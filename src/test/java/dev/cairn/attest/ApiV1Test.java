package dev.cairn.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.nix.Hash;
import dev.cairn.nix.NarInfo;
import dev.cairn.nix.SecretKey;
import dev.cairn.nix.StorePath;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Cairn's own attestation API beyond lila, on both SQL dialects. */
class ApiV1Test extends ServersOnBothDialects {
  private static final String H1 = LilaRoutesTest.SHA_NIX;
  private static final String H2 = "sha256:" + "1".repeat(52);
  private static final String H3 = "sha256:0" + "3".repeat(51);

  private void attest(AttestClient c, String token, String out, String name, String hash) throws Exception {
    HttpResponse<String> r = c.post("/attestation/" + hashPart() + "-" + name, AttestClient.body(out, name, hash, "").encode(), token);
    assertEquals(200, r.statusCode(), r.body());
  }

  /** root depends on mid, mid depends on leaf. */
  private String report(AttestClient c, String token, String name, String root, String mid, String leaf) throws Exception {
    JsonArray components = new JsonArray();
    for (String[] p : new String[][] {{"mid", mid}, {"leaf", leaf}}) {
      components.add(new JsonObject().put("bom-ref", p[0]).put("properties", new JsonArray()
          .add(new JsonObject().put("name", "nix:out_path").put("value", "/nix/store/" + p[1] + "-" + p[0]))));
    }
    JsonObject sbom = new JsonObject()
        .put("bomFormat", "CycloneDX").put("metadata", new JsonObject().put("component", new JsonObject().put("bom-ref", "root").put("properties", new JsonArray()
            .add(new JsonObject().put("name", "nix:out_path").put("value", "/nix/store/" + root + "-root")))))
        .put("components", components)
        .put("dependencies", new JsonArray()
            .add(new JsonObject().put("ref", "root").put("dependsOn", new JsonArray().add("mid")))
            .add(new JsonObject().put("ref", "mid").put("dependsOn", new JsonArray().add("leaf"))));
    HttpResponse<String> r = c.send("PUT", "/reports/" + name, sbom.encode(), token, null);
    assertEquals(200, r.statusCode(), r.body());
    return name;
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void reportVerdictsWithClustersFiltersAndPolicy(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String alice = c.user("v-alice-" + d);
    String bob = c.user("v-bob-" + d);
    String carol = c.user("v-carol-" + d);
    String root = hashPart();
    String mid = hashPart();
    String leaf = hashPart();
    String name = report(c, alice, "verdicts-" + d, root, mid, leaf);
    attest(c, alice, root, "root", H1);
    attest(c, bob, root, "root", H1);
    attest(c, carol, root, "root", H2);
    attest(c, alice, mid, "mid", H1);
    attest(c, bob, mid, "mid", H2);

    JsonObject all = new JsonObject(c.get("/api/v1/reports/" + name).body());
    assertEquals(3, all.getInteger("paths_total"));
    Map<String, JsonObject> byPath = new java.util.HashMap<>();
    all.getJsonArray("paths").forEach(o -> byPath.put(((JsonObject) o).getString("ref"), (JsonObject) o));
    assertEquals("Partially reproduced", byPath.get("root").getString("status"));
    assertEquals("Consistently nondeterministic", byPath.get("mid").getString("status"));
    assertEquals("No builds", byPath.get("leaf").getString("status"));
    JsonObject biggest = byPath.get("root").getJsonArray("clusters").getJsonObject(0);
    assertEquals(H1, biggest.getString("hash"));
    assertEquals(2, biggest.getJsonArray("builders").size());
    assertEquals(2, all.getInteger("not_reproducible"));

    JsonObject onlyAliceBob = new JsonObject(c.get("/api/v1/reports/" + name + "?builders=v-alice-" + d + ",v-bob-" + d).body());
    onlyAliceBob.getJsonArray("paths").forEach(o -> {
      JsonObject p = (JsonObject) o;
      if (p.getString("ref").equals("root")) {
        assertEquals("Successfully reproduced", p.getString("status"));
      }
    });

    JsonObject policy = new JsonObject(c.get("/api/v1/reports/" + name + "?policy=2-of:v-alice-" + d + ",v-bob-" + d + ",v-carol-" + d).body());
    assertEquals(1, policy.getInteger("accepted"));
    assertFalse(policy.getBoolean("closure_accepted"));
    policy.getJsonArray("paths").forEach(o -> {
      JsonObject p = (JsonObject) o;
      assertEquals(p.getString("ref").equals("root") ? H1 : null, p.getString("accepted"));
    });

    JsonObject verifiedOnly = new JsonObject(c.get("/api/v1/reports/" + name + "?verified=true").body());
    assertEquals(3, verifiedOnly.getJsonObject("counts").getInteger("No builds"), "unsigned votes do not count when verified=true");

    assertEquals(422, c.get("/api/v1/reports/" + name + "?policy=two-of:a").statusCode());
    assertEquals(422, c.get("/api/v1/reports/" + name + "?policy=3-of:a,b").statusCode());
    assertEquals(404, c.get("/api/v1/reports/missing-" + d).statusCode());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void diffBetweenBuildersAndBetweenVersions(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String alice = c.user("d-alice-" + d);
    String bob = c.user("d-bob-" + d);
    String root = hashPart();
    String mid = hashPart();
    String leaf = hashPart();
    String name = report(c, alice, "diff-" + d, root, mid, leaf);
    attest(c, alice, root, "root", H1);
    attest(c, bob, root, "root", H1);
    attest(c, alice, mid, "mid", H1);
    attest(c, bob, mid, "mid", H3);
    attest(c, alice, leaf, "leaf", H1);
    JsonObject diff = new JsonObject(c.get("/api/v1/reports/" + name + "/diff?a=d-alice-" + d + "&b=d-bob-" + d).body());
    assertEquals(1, diff.getJsonObject("agree").getInteger("count"));
    assertEquals(1, diff.getJsonObject("disagree").getInteger("count"));
    assertEquals("/nix/store/" + mid + "-mid", diff.getJsonObject("disagree").getJsonArray("paths").getJsonObject(0).getString("path"));
    assertEquals(1, diff.getJsonObject("only_a").getInteger("count"));
    assertEquals(0, diff.getJsonObject("only_b").getInteger("count"));
    JsonObject page = new JsonObject(c.get("/api/v1/reports/" + name + "/diff?a=d-alice-" + d + "&b=d-bob-" + d + "&limit=1&offset=1").body());
    assertEquals(0, page.getJsonObject("agree").getJsonArray("paths").size());

    // Version 2 drops leaf and adds a new path; mid's status changes after version 2 supersedes version 1.
    String extra = hashPart();
    Thread.sleep(5);
    JsonObject sbom2 = new JsonObject(c.send("GET", "/reports/" + name, null, null, "application/vnd.cyclonedx+json").body());
    sbom2.getJsonArray("components").getJsonObject(1).getJsonArray("properties").getJsonObject(0).put("value", "/nix/store/" + extra + "-extra");
    assertEquals(200, c.send("PUT", "/reports/" + name, sbom2.encode(), alice, null).statusCode());
    Thread.sleep(5);
    attest(c, c.user("d-carol-" + d), mid, "mid", H1);
    JsonObject versions = new JsonObject(c.get("/api/v1/reports/" + name + "/diff?from=1&to=2").body());
    assertEquals("/nix/store/" + extra + "-extra", versions.getJsonObject("added").getJsonArray("paths").getJsonObject(0).getString("path"));
    assertEquals("/nix/store/" + leaf + "-leaf", versions.getJsonObject("removed").getJsonArray("paths").getJsonObject(0).getString("path"));
    JsonObject changed = versions.getJsonObject("status_changed").getJsonArray("paths").getJsonObject(0);
    assertEquals("/nix/store/" + mid + "-mid", changed.getString("path"));
    assertEquals("Consistently nondeterministic", changed.getString("from"));
    assertEquals("Partially reproduced", changed.getString("to"));
    assertEquals(422, c.get("/api/v1/reports/" + name + "/diff").statusCode());
    assertEquals(422, c.get("/api/v1/reports/" + name + "/diff?a=x").statusCode());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void frankenbuildExposureFollowsTheDependencyGraph(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String alice = c.user("f-alice-" + d);
    String bob = c.user("f-bob-" + d);
    String root = hashPart();
    String mid = hashPart();
    String leaf = hashPart();
    String name = report(c, alice, "franken-" + d, root, mid, leaf);
    attest(c, alice, leaf, "leaf", H1);
    attest(c, bob, leaf, "leaf", H2);
    JsonObject f = new JsonObject(c.get("/api/v1/reports/" + name + "/frankenbuilds").body());
    assertEquals(2, f.getInteger("count"), f.encode());
    List<String> exposed = f.getJsonArray("paths").stream().map(o -> ((JsonObject) o).getString("path")).toList();
    assertTrue(exposed.contains("/nix/store/" + mid + "-mid") && exposed.contains("/nix/store/" + root + "-root"));

    JsonObject output = new JsonObject(c.get("/api/v1/outputs/" + leaf + "-leaf").body());
    assertEquals("Consistently nondeterministic", output.getString("status"));
    assertEquals(2, output.getJsonArray("clusters").size());
    assertTrue(output.getJsonArray("clusters").getJsonObject(0).getJsonArray("builders").getJsonObject(0).containsKey("at"));
    assertEquals(404, c.get("/api/v1/outputs/" + hashPart() + "-none").statusCode());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void batchIsAllOrNothingAndIdempotent(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String token = c.user("batch-" + d);
    JsonArray batch = new JsonArray();
    String[] outs = new String[20];
    for (int i = 0; i < 20; i++) {
      outs[i] = hashPart();
      batch.add(new JsonObject().put("drv_ident", hashPart() + "-b" + i).put("outputs", AttestClient.body(outs[i], "b" + i, H1, "")));
    }
    HttpResponse<String> r = c.post("/api/v1/attestations", batch.encode(), token);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(20, new JsonObject(r.body()).getInteger("accepted"));
    assertEquals(200, c.post("/api/v1/attestations", batch.encode(), token).statusCode());
    assertEquals(1, new JsonArray(c.get("/attestations/by-output/" + outs[7] + "-b7").body()).size(), "posting twice changes nothing");

    StringBuilder ndjson = new StringBuilder();
    String nd = hashPart();
    ndjson.append(new JsonObject().put("drv_ident", "/nix/store/" + hashPart() + "-nd.drv").put("outputs", AttestClient.body(nd, "nd", H1, "")).encode())
        .append('\n');
    String bad = hashPart();
    ndjson.append(new JsonObject().put("drv_ident", hashPart() + "-bad").put("outputs", new JsonArray().add(new JsonObject())).encode()).append('\n');
    HttpResponse<String> rejected = c.post("/api/v1/attestations", ndjson.toString(), token);
    assertEquals(422, rejected.statusCode());
    assertTrue(rejected.body().contains("entries[1].outputs[0]"), rejected.body());
    assertEquals(0, new JsonArray(c.get("/attestations/by-output/" + nd + "-nd").body()).size(), "nothing of a rejected batch is stored");
    String goodOnly = ndjson.toString().split("\n")[0];
    assertEquals(200, c.post("/api/v1/attestations", goodOnly + "\n", token).statusCode());
    assertEquals(1, new JsonArray(c.get("/attestations/by-output/" + nd + "-nd").body()).size());
    assertEquals(401, c.post("/api/v1/attestations", goodOnly, null).statusCode());
    assertTrue(bad.length() == 32);
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void signaturesOverTheNixFingerprintAreVerifiedOrRefused(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String user = "signing-" + d;
    String token = c.user(user);
    SecretKey key = SecretKey.generate("builder-" + d + "-1");
    assertEquals(200, c.registerKey(token, key).statusCode());

    String out = hashPart();
    String dep = hashPart();
    StorePath path = StorePath.parseBaseName(out + "-signed");
    List<StorePath> refs = List.of(StorePath.parseBaseName(dep + "-dep"));
    Hash narHash = Hash.parse(H1);
    String sig = key.sign(NarInfo.fingerprint(path, narHash, 1234, refs)).toString();
    JsonObject good = new JsonObject().put("output_digest", out).put("output_name", "signed").put("output_hash", H1).put("output_sig", sig)
        .put("nar_size", 1234).put("references", new JsonArray().add(refs.get(0).fullPath()));
    HttpResponse<String> ok = c.post("/attestation/" + hashPart() + "-signed", new JsonArray().add(good).encode(), token);
    assertEquals(200, ok.statusCode(), ok.body());
    JsonObject v = new JsonObject(c.get("/api/v1/outputs/" + out + "-signed").body());
    assertTrue(v.getJsonArray("clusters").getJsonObject(0).getJsonArray("builders").getJsonObject(0).getBoolean("verified"));

    JsonObject forged = good.copy().put("nar_size", 1235).put("output_digest", hashPart());
    HttpResponse<String> refused = c.post("/attestation/" + hashPart() + "-signed", new JsonArray().add(forged).encode(), token);
    assertEquals(400, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("does not verify"), refused.body());

    JsonObject lilaStyle = good.copy().put("output_digest", hashPart());
    lilaStyle.remove("nar_size");
    lilaStyle.remove("references");
    assertEquals(200, c.post("/attestation/" + hashPart() + "-signed", new JsonArray().add(lilaStyle).encode(), token).statusCode(),
        "lila clients send no size and references: stored unverified");
  }
}
