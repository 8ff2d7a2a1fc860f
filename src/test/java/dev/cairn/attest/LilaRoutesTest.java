package dev.cairn.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.users.Role;
import dev.cairn.users.UserName;
import dev.cairn.users.UserService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** lila's request shapes replayed against Cairn, on both SQL dialects. */
class LilaRoutesTest extends ServersOnBothDialects {
  static final String SHA_HEX = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
  static final String SHA_SRI = "sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=";
  static final String SHA_NIX = "sha256:094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic";
  /** A well-formed Nix signature (key name, 64 bytes); attestations without nar_size/references are not checked against keys. */
  static final String SIG = "key-1:" + java.util.Base64.getEncoder().encodeToString(new byte[64]).replace("AAAA", "c2ln");

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void acceptsAnAttestationAndListsItByOutput(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String token = c.user("builder-a-" + d);
    String out = hashPart();
    String drv = hashPart();
    HttpResponse<String> r = c.post("/attestation/" + drv + "-hello", AttestClient.body(out, "hello", SHA_NIX, SIG).encode(), token);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("[\"Attestation accepted\"]", r.body());
    JsonArray rows = new JsonArray(c.get("/attestations/by-output/" + out + "-hello").body());
    assertEquals(1, rows.size());
    JsonObject row = rows.getJsonObject(0);
    assertEquals(out, row.getString("output_digest"));
    assertEquals("hello", row.getString("output_name"));
    assertEquals("/nix/store/" + out + "-hello", row.getString("output_path"));
    assertEquals(SHA_NIX, row.getString("output_hash"));
    assertEquals(SIG, row.getString("output_sig"));
    assertTrue(row.containsKey("id") && row.containsKey("user_id") && row.containsKey("drv_id"));
    assertEquals(rows, new JsonArray(c.get("/api/attestations/by-output/" + out + "-hello").body()), "same under /api/");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void acceptsJsonLabelledAsAFormAsCurlDataSendsItAndRefusesHugeBodies(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String token = c.user("curl-" + d);
    String out = hashPart();
    java.net.http.HttpRequest form = java.net.http.HttpRequest.newBuilder(java.net.URI.create(c.server.baseUrl() + "/attestation/" + hashPart() + "-curl"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(AttestClient.body(out, "curl", SHA_NIX, "").encode())).build();
    assertEquals(200, java.net.http.HttpClient.newHttpClient().send(form, HttpResponse.BodyHandlers.ofString()).statusCode());
    HttpResponse<String> huge = c.post("/attestation/" + hashPart() + "-huge", "[" + " ".repeat(9 << 20) + "]", token);
    assertEquals(413, huge.statusCode());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void malformedBodyIs422ForAWriterAnd401WithoutAToken(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String token = c.user("malformed-" + d);
    String drv = hashPart() + "-x";
    // lila's placeholders ("short", "x", "h") are taken (LilaSuiteTest); a digest with '/' is not one path segment.
    for (String body : new String[] {"not json", "{}", "[]", "[{}]", "[{\"output_digest\":\"a/b\",\"output_name\":\"x\",\"output_hash\":\"h\",\"output_sig\":\"\"}]"}) {
      HttpResponse<String> r = c.post("/attestation/" + drv, body, token);
      assertEquals(422, r.statusCode(), body);
      assertTrue(new JsonObject(r.body()).containsKey("detail"), r.body());
      // Unlike lila, the token is checked before the body is read (README, "Hash collection").
      assertEquals(401, c.post("/attestation/" + drv, body, null).statusCode(), body);
    }
    assertEquals(422, c.post("/attestation/not-a-drv%0A", AttestClient.body(hashPart(), "x", "h", "").encode(), token).statusCode());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void missingWrongOrRevokedTokenIs401UserNotFound(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String body = AttestClient.body(hashPart(), "x", SHA_NIX, "").encode();
    String drv = "/attestation/" + hashPart() + "-x";
    for (String token : new String[] {null, "wrong-token-value"}) {
      HttpResponse<String> r = c.post(drv, body, token);
      assertEquals(401, r.statusCode());
      assertEquals("{\"detail\":\"User not found\"}", r.body());
    }
    String token = c.user("revoked-" + d);
    assertEquals(200, c.post(drv, body, token).statusCode());
    // Revoked as `cairn user revoke` does it: from another process, through the database.
    TestDatabase.await(new UserService(c.server.server().db()).revoke(new UserName("revoked-" + d)));
    Thread.sleep(UserService.AUTH_CACHE_MILLIS + 100);
    assertEquals(401, c.post(drv, body, token).statusCode());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void countsReportsLikeLilaStoresRepeatsOnceAndVerdictsCountBuildersOnce(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String alice = c.user("count-alice-" + d);
    String bob = c.user("count-bob-" + d);
    String out = hashPart();
    String drv = hashPart() + "-count";
    String body = AttestClient.body(out, "count", SHA_NIX, "").encode();
    for (int i = 0; i < 3; i++) {
      assertEquals(200, c.post("/attestation/" + drv, body, alice).statusCode());
    }
    assertEquals(1, new JsonArray(c.get("/attestations/by-output/" + out + "-count").body()).size(), "identical posts stored once");
    c.post("/attestation/" + drv, body, bob);
    // alice rebuilds (--rebuild) and reports a different hash: still one vote, her latest.
    String other = "sha256:" + "1".repeat(52);
    c.post("/attestation/" + drv, AttestClient.body(out, "count", other, "").encode(), alice);
    JsonObject counts = new JsonObject(c.get("/derivations/" + drv).body()).getJsonObject("/nix/store/" + out + "-count");
    // lila counts every attestation posted (alice 3 times and bob once, then alice's other hash).
    assertEquals(new JsonObject().put(SHA_NIX, 4).put(other, 1), counts);
    assertEquals(3, new JsonArray(c.get("/derivations/" + drv + "?full=true").body()).size(), "full=true lists every row");
    // A verdict counts each builder once, by its latest vote: alice's other hash against bob's.
    JsonObject verdict = new JsonObject(c.get("/api/v1/outputs/" + out + "-count").body());
    assertEquals("Consistently nondeterministic", verdict.getString("status"), verdict.encode());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void hashEncodingsOfOneDigestAgreeAndUnparseableHashesAreKeptVerbatim(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String out = hashPart();
    String drv = hashPart() + "-enc";
    c.post("/attestation/" + drv, AttestClient.body(out, "enc", "sha256:" + SHA_HEX, "").encode(), c.user("enc-a-" + d));
    c.post("/attestation/" + drv, AttestClient.body(out, "enc", SHA_SRI, "").encode(), c.user("enc-b-" + d));
    c.post("/attestation/" + drv, AttestClient.body(out, "enc", SHA_NIX, "").encode(), c.user("enc-c-" + d));
    assertEquals(new JsonObject().put(SHA_NIX, 3), new JsonObject(c.get("/derivations/" + drv).body()).getJsonObject("/nix/store/" + out + "-enc"));
    String out2 = hashPart();
    String enc = c.user("enc-d-" + d);
    HttpResponse<String> notAHash = c.post("/attestation/" + drv, AttestClient.body(out2, "enc", "not-a-hash", "").encode(), enc);
    assertEquals(200, notAHash.statusCode(), "lila's routes keep it verbatim: " + notAHash.body());
    assertEquals("not-a-hash", new JsonArray(c.get("/attestations/by-output/" + out2 + "-enc").body()).getJsonObject(0).getString("output_hash"));
    HttpResponse<String> strict = c.post("/api/v1/attestations", new JsonArray().add(new JsonObject().put("drv_ident", drv)
        .put("outputs", AttestClient.body(hashPart(), "enc", "not-a-hash", ""))).encode(), enc);
    assertEquals(422, strict.statusCode(), strict.body());
    assertTrue(new JsonObject(strict.body()).getString("detail").startsWith("entries[0].outputs[0].output_hash:"), strict.body());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void drvAndNoDrvSpellingsAreOneDerivation(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String token = c.user("drv-" + d);
    String drv = hashPart() + "-spelled";
    c.post("/attestation/" + drv + ".drv", AttestClient.body(hashPart(), "a", SHA_NIX, "").encode(), token);
    c.post("/attestation/" + drv, AttestClient.body(hashPart(), "b", SHA_NIX, "").encode(), token);
    assertEquals(2, new JsonObject(c.get("/derivations/" + drv).body()).size());
    assertEquals(2, new JsonObject(c.get("/derivations/" + drv + ".drv").body()).size());
    long count = new JsonArray(c.get("/derivations/").body()).stream().filter(o -> ((JsonObject) o).getString("drv_hash").equals(drv)).count();
    assertEquals(1, count);
    HttpResponse<String> missing = c.get("/derivations/" + hashPart() + "-nothing");
    assertEquals(404, missing.statusCode());
    assertEquals("{\"detail\":\"Not found\"}", missing.body());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void derivationsListPagesWithLimitAndAfter(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String token = c.user("pager-" + d);
    for (int i = 0; i < 5; i++) {
      c.post("/attestation/" + hashPart() + "-page", AttestClient.body(hashPart(), "p", SHA_NIX, "").encode(), token);
    }
    JsonArray all = new JsonArray(c.get("/derivations/").body());
    JsonArray first = new JsonArray(c.get("/derivations/?limit=2").body());
    JsonArray second = new JsonArray(c.get("/derivations/?limit=2&after=" + first.getJsonObject(1).getLong("id")).body());
    assertEquals(2, first.size());
    assertEquals(all.getJsonObject(0), first.getJsonObject(0));
    assertEquals(all.getJsonObject(2), second.getJsonObject(0));
    assertEquals(422, c.get("/derivations/?limit=0").statusCode());
  }

  static String sbom(String rootPath, String depPath, String otherPath) {
    JsonObject root = new JsonObject().put("bom-ref", "root").put("properties", new JsonArray()
        .add(new JsonObject().put("name", "nix:out_path").put("value", rootPath)));
    JsonArray components = new JsonArray()
        .add(new JsonObject().put("bom-ref", "dep").put("properties", new JsonArray()
            .add(new JsonObject().put("name", "nix:out_path").put("value", depPath))
            .add(new JsonObject().put("name", "nix:drv_path").put("value", depPath + ".drv"))
            .add(new JsonObject().put("name", "nix:output").put("value", "out"))));
    if (otherPath != null) {
      components.add(new JsonObject().put("bom-ref", "other").put("properties", new JsonArray()
          .add(new JsonObject().put("name", "nix:output_path").put("value", otherPath))));
    }
    JsonArray deps = new JsonArray().add(new JsonObject().put("ref", "root").put("dependsOn", new JsonArray().add("dep")));
    return new JsonObject().put("bomFormat", "CycloneDX").put("specVersion", "1.5")
        .put("metadata", new JsonObject().put("component", root)).put("components", components).put("dependencies", deps).encode();
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void reportsAreVersionedAndNegotiated(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String token = c.user("reporter-" + d);
    String name = "report-" + d;
    String root = "/nix/store/" + hashPart() + "-root";
    String dep = "/nix/store/" + hashPart() + "-dep";
    assertEquals(401, c.send("PUT", "/reports/" + name, sbom(root, dep, null), null, null).statusCode());
    assertEquals(401, c.send("PUT", "/reports/" + name, "{\"components\": 5}", null, null).statusCode(), "authenticated before the body is read");
    assertEquals(422, c.send("PUT", "/reports/" + name, "{\"components\": 5}", token, null).statusCode());
    assertEquals(422, c.send("PUT", "/reports/" + name, sbom("/nix/store/bad", dep, null), token, null).statusCode());
    HttpResponse<String> put = c.send("PUT", "/reports/" + name, sbom(root, dep, null), token, null);
    assertEquals(200, put.statusCode(), put.body());
    assertEquals("[\"Report defined\"]", put.body());
    String other = "/nix/store/" + hashPart() + "-other";
    assertEquals(200, c.send("PUT", "/api/reports/" + name, sbom(root, dep, other), token, null).statusCode());
    JsonArray names = new JsonArray(c.get("/reports").body());
    assertEquals(1, names.stream().filter(name::equals).count(), "a second PUT is a new version, not a duplicate");

    HttpResponse<String> cdx = c.send("GET", "/reports/" + name, null, null, "application/vnd.cyclonedx+json");
    assertEquals("application/vnd.cyclonedx+json", cdx.headers().firstValue("Content-Type").orElse(""));
    assertEquals(new JsonObject(sbom(root, dep, other)), new JsonObject(cdx.body()), "the latest version is served");
    HttpResponse<String> v1 = c.send("GET", "/reports/" + name + "?version=1", null, null, "application/vnd.cyclonedx+json");
    assertEquals(new JsonObject(sbom(root, dep, null)), new JsonObject(v1.body()), "history is kept");

    HttpResponse<String> text = c.get("/reports/" + name);
    assertTrue(text.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    assertTrue(text.body().contains(root) && text.body().contains("  ? " + dep + " [No builds]"), text.body());

    HttpResponse<String> html = c.send("GET", "/reports/" + name, null, null, "text/html,application/xhtml+xml");
    assertTrue(html.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    assertTrue(html.body().contains("<title>Report " + name), html.body());
    assertTrue(html.body().contains("<details"), "collapsible tree");

    HttpResponse<String> missing = c.get("/reports/nope-" + d);
    assertEquals(404, missing.statusCode());
    assertEquals("{\"detail\":\"Report not found\"}", missing.body());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void suggestNeverOffersWhatTheCallerAttestedAndOffersDisagreements(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String alice = c.user("sug-alice-" + d);
    String bob = c.user("sug-bob-" + d);
    String carol = c.user("sug-carol-" + d);
    String rootHash = hashPart();
    String depHash = hashPart();
    String name = "suggest-" + d;
    c.send("PUT", "/reports/" + name, sbom("/nix/store/" + rootHash + "-root", "/nix/store/" + depHash + "-dep", null), alice, null);
    // alice and bob disagree on root; nobody built dep.
    c.post("/attestation/" + hashPart() + "-root", AttestClient.body(rootHash, "root", SHA_NIX, "").encode(), alice);
    c.post("/attestation/" + hashPart() + "-root", AttestClient.body(rootHash, "root", "sha256:" + "1".repeat(52), "").encode(), bob);
    JsonArray forAlice = new JsonArray(c.send("GET", "/reports/" + name + "/suggest", null, alice, null).body());
    assertEquals(1, forAlice.size());
    assertEquals("/nix/store/" + depHash + "-dep", forAlice.getJsonObject(0).getString("out_path"));
    assertEquals("/nix/store/" + depHash + "-dep.drv", forAlice.getJsonObject(0).getString("drv_path"));
    JsonArray forCarol = new JsonArray(c.send("GET", "/reports/" + name + "/suggested", null, carol, null).body());
    assertTrue(forCarol.contains("/nix/store/" + rootHash + "-root"), "a third builder is offered the disagreement");
    assertEquals(404, c.get("/reports/none-" + d + "/suggest").statusCode());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void linkPatterns(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String token = c.user("links-" + d, Role.ADMIN);
    assertEquals(401, c.post("/link_patterns?pattern=abc&link=https://x", null, null).statusCode());
    HttpResponse<String> writer = c.post("/link_patterns?pattern=abc&link=https://x", null, c.user("links-writer-" + d));
    assertEquals(403, writer.statusCode(), "link patterns are an operator's right");
    assertEquals("role: admin required (links-writer-" + d + " is writer)", new JsonObject(writer.body()).getString("detail"));
    assertEquals(422, c.post("/link_patterns?pattern=abc", null, token).statusCode());
    assertEquals(422, c.post("/link_patterns?pattern=(&link=x", null, token).statusCode());
    HttpResponse<String> ok = c.post("/link_patterns?pattern=python3&link=https%3A%2F%2Fexample.org%2Fpython-" + d, null, token);
    assertEquals(200, ok.statusCode());
    assertEquals("\"OK\"", ok.body());
    assertTrue(new JsonArray(c.get("/link_patterns").body()).contains(new JsonObject().put("pattern", "python3")
        .put("link", "https://example.org/python-" + d)));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void signaturesNarinfo(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String user = "signer-" + d;
    String token = c.user(user);
    String out = hashPart();
    String drv = hashPart() + "-signed";
    c.post("/attestation/" + drv, AttestClient.body(out, "signed", SHA_SRI, SIG).encode(), token);
    HttpResponse<String> r = c.get("/signatures/" + user + "/" + out + ".narinfo");
    assertEquals(200, r.statusCode());
    assertEquals("text/x-nix-narinfo", r.headers().firstValue("Content-Type").orElse(""));
    assertEquals("StorePath: /nix/store/" + out + "-signed\nURL: no\nNarHash: " + SHA_NIX + "\nNarSize: 0\nDeriver: " + drv
        + ".drv\nSig: " + SIG + "\n", r.body());
    assertEquals(401, c.get("/signatures/nobody-" + d + "/" + out + ".narinfo").statusCode());
    assertEquals(404, c.get("/signatures/" + user + "/" + hashPart() + ".narinfo").statusCode());
  }
}
