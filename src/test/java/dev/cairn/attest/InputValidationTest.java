package dev.cairn.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.users.Role;
import dev.cairn.db.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile input to every attest route, on both dialects: each is refused with a 4xx JSON
 * {@code detail} naming the field and the rule, and nothing is written.
 */
class InputValidationTest extends ServersOnBothDialects {
  private static final String[] CONTROL = {"\u0000", "\r", "\n", "\u001b", "\u007f", "\u0085"};

  private static void refused(AttestClient c, HttpResponse<String> r, int status, String field, Map<String, Long> before) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    String detail = new JsonObject(r.body()).getString("detail");
    assertTrue(detail.startsWith(field) || detail.contains(field), "detail names " + field + ": " + detail);
    assertEquals(before, c.counts(), "nothing written for " + field);
  }

  private static JsonObject output(String digest, String name, String hash, String sig) {
    return AttestClient.body(digest, name, hash, sig).getJsonObject(0);
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void controlCharactersInEveryAttestationFieldAre422NamingTheField(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String token = c.user("ctl-" + d);
    String admin = c.user("ctl-admin-" + d, Role.ADMIN);
    String out = hashPart();
    String drv = hashPart() + "-ctl";
    Map<String, Long> before = c.counts();
    for (String ctl : CONTROL) {
      String sig = LilaRoutesTest.SIG;
      Map<String, JsonObject> bad = Map.of(
          "output_sig", output(out, "ctl", LilaRoutesTest.SHA_NIX, sig + ctl + "StorePath: /nix/store/" + out + "-evil"),
          "output_hash", output(out, "ctl", LilaRoutesTest.SHA_NIX + ctl, sig),
          "output_name", output(out, "ctl" + ctl, LilaRoutesTest.SHA_NIX, sig),
          "output_digest", output(out + ctl, "ctl", LilaRoutesTest.SHA_NIX, sig),
          "references", output(out, "ctl", LilaRoutesTest.SHA_NIX, sig).put("nar_size", 5)
              .put("references", new JsonArray().add("/nix/store/" + out + "-ctl" + ctl)));
      for (Map.Entry<String, JsonObject> e : bad.entrySet()) {
        String body = new JsonArray().add(e.getValue()).encode();
        refused(c, c.post("/attestation/" + drv, body, token), 422, "body[0]." + e.getKey(), before);
        String batch = new JsonArray().add(new JsonObject().put("drv_ident", drv).put("outputs", new JsonArray().add(e.getValue()))).encode();
        refused(c, c.post("/api/v1/attestations", batch, token), 422, "entries[0].outputs[0]." + e.getKey(), before);
      }
      String encoded = URLEncoder.encode(drv + ctl, StandardCharsets.UTF_8);
      refused(c, c.post("/attestation/" + encoded, AttestClient.body(out, "ctl", LilaRoutesTest.SHA_NIX, "").encode(), token), 422,
          "drv_ident", before);
      String batch = new JsonArray().add(new JsonObject().put("drv_ident", drv + ctl).put("outputs", AttestClient.body(out, "ctl",
          LilaRoutesTest.SHA_NIX, ""))).encode();
      refused(c, c.post("/api/v1/attestations", batch, token), 422, "entries[0].drv_ident", before);
      // Link patterns are an admin's: the role is checked first (403 for a writer), then the text.
      refused(c, c.post("/link_patterns?pattern=" + URLEncoder.encode("x" + ctl, StandardCharsets.UTF_8) + "&link=y", null, admin), 422,
          "pattern", before);
      refused(c, c.post("/link_patterns?pattern=x&link=" + URLEncoder.encode("https://e/" + ctl, StandardCharsets.UTF_8), null, admin), 422,
          "link", before);
      refused(c, c.post("/api/v1/keys", new JsonObject().put("public_key", "k" + ctl + ":" + "A".repeat(43) + "=").encode(), token), 422,
          "public_key", before);
      refused(c, c.send("GET", "/api/v1/reports/r?builders=" + URLEncoder.encode("a" + ctl, StandardCharsets.UTF_8), null, null, null),
          422, "builders", before);
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void controlCharactersInReportNamesRefsAndPropertyValuesAre422(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String token = c.user("ctl-report-" + d);
    String out = hashPart();
    Map<String, Long> before = c.counts();
    for (String ctl : CONTROL) {
      refused(c, c.send("PUT", "/reports/" + URLEncoder.encode("r" + ctl, StandardCharsets.UTF_8), sbom(out, "root", "/nix/store/" + out + "-x"),
          token, null), 422, "name", before);
      refused(c, c.send("PUT", "/reports/ctl", sbom(out, "root" + ctl, "/nix/store/" + out + "-x"), token, null), 422,
          "metadata.component.bom-ref", before);
      refused(c, c.send("PUT", "/reports/ctl", sbom(out, "root", "/nix/store/" + out + "-x" + ctl), token, null), 422,
          "metadata.component.properties[0].value", before);
      JsonObject dep = new JsonObject(sbom(out, "root", "/nix/store/" + out + "-x"));
      dep.put("dependencies", new JsonArray().add(new JsonObject().put("ref", "root").put("dependsOn", new JsonArray().add("a" + ctl))));
      refused(c, c.send("PUT", "/reports/ctl", dep.encode(), token, null), 422, "dependencies[0].dependsOn[0]", before);
    }
  }

  private static String sbom(String out, String rootRef, String outPath) {
    return new JsonObject().put("bomFormat", "CycloneDX").put("specVersion", "1.5")
        .put("metadata", new JsonObject().put("component", new JsonObject().put("bom-ref", rootRef)
            .put("properties", new JsonArray().add(new JsonObject().put("name", "nix:out_path").put("value", outPath)))))
        .put("components", new JsonArray()).encode();
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void hashesAndSignaturesAreParsedAndMalformedOnesRefused(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String token = c.user("parse-" + d);
    String out = hashPart();
    String drv = hashPart() + "-parse";
    Map<String, Long> before = c.counts();
    // lila's routes keep a hash that is no Nix hash verbatim (LilaSuiteTest) but refuse an empty one; /api/v1 refuses them all.
    refused(c, c.post("/attestation/" + drv, AttestClient.body(out, "parse", "", "").encode(), token), 422, "body[0].output_hash", before);
    for (String hash : new String[] {"md5:abc", "sha256-!!!!", "<img src=x onerror=alert(1)>", "sha256:abc123", "",
        "md5:" + "0".repeat(32), "sha512:" + "0".repeat(128), "sha256:" + "z".repeat(52)}) {
      String batch = new JsonArray().add(new JsonObject().put("drv_ident", drv).put("outputs", AttestClient.body(out, "parse", hash, ""))).encode();
      refused(c, c.post("/api/v1/attestations", batch, token), 422, "entries[0].outputs[0].output_hash", before);
    }
    for (String sig : new String[] {"k:sig", "nocolon", ":" + LilaRoutesTest.SIG.substring(6), "key-1:c2lnbmF0dXJl", "key 1:" + LilaRoutesTest.SIG.substring(6),
        "x".repeat(300) + ":" + LilaRoutesTest.SIG.substring(6)}) {
      String batch = new JsonArray().add(new JsonObject().put("drv_ident", drv).put("outputs", AttestClient.body(out, "parse", LilaRoutesTest.SHA_NIX, sig)))
          .encode();
      refused(c, c.post("/api/v1/attestations", batch, token), 422, "entries[0].outputs[0].output_sig", before);
    }
    // Too long is refused everywhere, control characters too (controlCharactersInEveryAttestationFieldAre422NamingTheField).
    refused(c, c.post("/attestation/" + drv, AttestClient.body(out, "parse", LilaRoutesTest.SHA_NIX, "k:" + "A".repeat(2 << 20)).encode(), token),
        422, "body[0].output_sig", before);
    // base16, SRI and nix32 spellings are accepted and stored in Nix's form.
    assertEquals(200, c.post("/attestation/" + drv, AttestClient.body(out, "parse", LilaRoutesTest.SHA_SRI, LilaRoutesTest.SIG).encode(), token)
        .statusCode());
    JsonObject row = new JsonArray(c.get("/attestations/by-output/" + out + "-parse").body()).getJsonObject(0);
    assertEquals(LilaRoutesTest.SHA_NIX, row.getString("output_hash"));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void narinfoNeverCarriesAnInjectedLineOrAnUnparsedHashEvenFromOldRows(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String user = "narinfo-" + d;
    String token = c.user(user);
    String out = hashPart();
    String drv = hashPart() + "-ni";
    String injected = LilaRoutesTest.SIG + "\nStorePath: /nix/store/" + hashPart() + "-evil\nURL: nar/evil.nar";
    refused(c, c.post("/attestation/" + drv, AttestClient.body(out, "ni", LilaRoutesTest.SHA_NIX, injected).encode(), token), 422,
        "body[0].output_sig", c.counts());
    assertEquals(404, c.get("/signatures/" + user + "/" + out + ".narinfo").statusCode());

    // Rows stored before input was checked (written here straight into the database) never reach a narinfo unparsed.
    assertEquals(200, c.post("/attestation/" + drv, AttestClient.body(out, "ni", LilaRoutesTest.SHA_NIX, "").encode(), token).statusCode());
    var db = c.server.server().db();
    TestDatabase.await(db.update("UPDATE attestations SET output_sig = ? WHERE output_id = (SELECT id FROM outputs WHERE path = ?)", injected,
        "/nix/store/" + out + "-ni"));
    HttpResponse<String> r = c.get("/signatures/" + user + "/" + out + ".narinfo");
    assertEquals(200, r.statusCode(), r.body());
    assertFalse(r.body().contains("evil"), r.body());
    assertEquals(1, r.body().lines().filter(l -> l.startsWith("StorePath:")).count(), r.body());
    assertFalse(r.body().contains("Sig:"), "a stored signature that does not parse is left out: " + r.body());
    TestDatabase.await(db.update("UPDATE attestations SET output_hash = ? WHERE output_id = (SELECT id FROM outputs WHERE path = ?)",
        "<img src=x>", "/nix/store/" + out + "-ni"));
    // A verbatim value (lila's placeholders) is served as lila serves it: one line of printable text, never parsed as a hash.
    HttpResponse<String> verbatim = c.get("/signatures/" + user + "/" + out + ".narinfo");
    assertEquals(200, verbatim.statusCode(), verbatim.body());
    assertTrue(verbatim.body().contains("\nNarHash: <img src=x>\n"), verbatim.body());
    assertEquals("text/x-nix-narinfo", verbatim.headers().firstValue("content-type").orElse(""));
    TestDatabase.await(db.update("UPDATE attestations SET output_hash = ? WHERE output_id = (SELECT id FROM outputs WHERE path = ?)",
        "sha256:x\nStorePath: /nix/store/evil", "/nix/store/" + out + "-ni"));
    HttpResponse<String> injectedHash = c.get("/signatures/" + user + "/" + out + ".narinfo");
    assertFalse(injectedHash.body().contains("evil") || injectedHash.body().contains("NarHash:"), injectedHash.body());
    // A user name that no user can have never reaches the database (a NUL made PostgreSQL fail).
    assertEquals(401, c.get("/signatures/a%00b/" + out + ".narinfo").statusCode());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void trailingGarbageAndDuplicateKeysAreRefusedOnEveryJsonBody(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String token = c.user("strict-" + d);
    String out = hashPart();
    String drv = hashPart() + "-strict";
    String good = AttestClient.body(out, "strict", LilaRoutesTest.SHA_NIX, "").encode();
    String dup = "[{\"output_digest\":\"" + out + "\",\"output_name\":\"strict\",\"output_hash\":\"" + LilaRoutesTest.SHA_NIX
        + "\",\"output_sig\":\"\",\"output_hash\":\"sha256:" + "1".repeat(52) + "\"}]";
    String batchGood = new JsonArray().add(new JsonObject().put("drv_ident", drv).put("outputs", new JsonArray(good))).encode();
    String batchDup = "[{\"drv_ident\":\"" + drv + "\",\"outputs\":" + dup + "}]";
    String sbom = sbom(out, "root", "/nix/store/" + out + "-strict");
    String key = new JsonObject().put("public_key", "k:" + "A".repeat(43) + "=").encode();
    Map<String, Long> before = c.counts();
    for (String trailing : new String[] {" x", "]", "{}", "[]", " 1", ",", "\u0000"}) {
      refused(c, c.post("/attestation/" + drv, good + trailing, token), 422, "trailing data", before);
      refused(c, c.post("/api/v1/attestations", batchGood + trailing, token), 422, "body", before);
      refused(c, c.send("PUT", "/reports/strict-" + d, sbom + trailing, token, null), 422, "trailing data", before);
      refused(c, c.post("/api/v1/keys", key + trailing, token), 422, "body", before);
    }
    refused(c, c.post("/api/v1/attestations", batchGood.substring(1, batchGood.length() - 1) + " {}", token), 422, "line 1", before);
    refused(c, c.post("/attestation/" + drv, dup, token), 422, "duplicate key \"output_hash\"", before);
    refused(c, c.post("/api/v1/attestations", batchDup, token), 422, "duplicate key \"output_hash\"", before);
    refused(c, c.post("/api/v1/attestations", batchDup.substring(1, batchDup.length() - 1), token), 422, "duplicate key \"output_hash\"", before);
    refused(c, c.send("PUT", "/reports/strict-" + d, "{\"bomFormat\":\"CycloneDX\",\"bomFormat\":\"SPDX\"}", token, null), 422,
        "duplicate key \"bomFormat\"", before);
    refused(c, c.post("/api/v1/keys", "{\"public_key\":\"a\",\"public_key\":\"b\"}", token), 422, "duplicate key \"public_key\"", before);
    refused(c, c.post("/attestation/" + drv, "[".repeat(100_000) + "]".repeat(100_000), token), 422, "nested", before);
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void queryParametersAreValidatedAndNamed(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String token = c.user("query-" + d);
    String name = "query-" + d;
    String out = hashPart();
    assertEquals(200, c.send("PUT", "/reports/" + name, sbom(out, "root", "/nix/store/" + out + "-q"), token, null).statusCode());
    String drv = hashPart() + "-q";
    assertEquals(200, c.post("/attestation/" + drv, AttestClient.body(out, "q", LilaRoutesTest.SHA_NIX, "").encode(), token).statusCode());
    Map<String, String> bad = new java.util.LinkedHashMap<>();
    bad.put("/api/v1/reports/" + name + "?policy=99999999999999999999-of:a", "policy");
    bad.put("/api/v1/reports/" + name + "?policy=2-of:a", "policy");
    bad.put("/api/v1/reports/" + name + "?policy=x", "policy");
    bad.put("/api/v1/reports/" + name + "?verified=maybe", "verified");
    bad.put("/api/v1/reports/" + name + "?verified=true&verified=false", "verified");
    bad.put("/api/v1/reports/" + name + "?version=99999999999999999999", "version");
    bad.put("/api/v1/reports/" + name + "/diff?a=x&b=y&limit=0", "limit");
    bad.put("/api/v1/reports/" + name + "/diff?a=x&b=y&offset=-1", "offset");
    bad.put("/api/v1/reports/" + name + "/diff?a=x&b=y&verified=maybe", "verified");
    bad.put("/api/v1/reports/" + name + "/diff?against=a%00b", "against");
    bad.put("/api/v1/reports/" + name + "/diff?a=x%00&b=y", "a");
    bad.put("/derivations/" + drv + "?full=banana", "full");
    bad.put("/derivations/?limit=99999999999", "limit");
    bad.put("/derivations/?limit=5&after=-1", "after");
    bad.put("/derivations/?limit=5&after=abc", "after");
    bad.put("/attestations/by-output/" + out + "-q?limit=0", "limit");
    for (Map.Entry<String, String> e : bad.entrySet()) {
      HttpResponse<String> r = c.get(e.getKey());
      assertEquals(422, r.statusCode(), e.getKey() + " " + r.body());
      String detail = new JsonObject(r.body()).getString("detail");
      assertTrue(detail.startsWith(e.getValue() + ":"), e.getKey() + " names " + e.getValue() + ": " + detail);
      assertFalse(detail.contains("For input string"), detail);
    }
    for (String yes : new String[] {"true", "1", "TRUE"}) {
      assertTrue(new JsonArray(c.get("/derivations/" + drv + "?full=" + yes).body()).size() == 1, yes);
    }
    for (String no : new String[] {"false", "0"}) {
      assertTrue(new JsonObject(c.get("/derivations/" + drv + "?full=" + no).body()).containsKey("/nix/store/" + out + "-q"), no);
    }
    assertEquals(200, c.get("/api/v1/reports/" + name + "?verified=1&policy=1-of:query-" + d).statusCode());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void cycloneDxIsStrict(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String token = c.user("cdx-" + d);
    String out = hashPart();
    Map<String, Long> before = c.counts();
    JsonObject spdx = new JsonObject(sbom(out, "root", "/nix/store/" + out + "-cdx")).put("bomFormat", "SPDX");
    refused(c, c.send("PUT", "/reports/cdx", spdx.encode(), token, null), 422, "bomFormat", before);
    JsonObject missing = new JsonObject(sbom(out, "root", "/nix/store/" + out + "-cdx"));
    missing.remove("bomFormat");
    refused(c, c.send("PUT", "/reports/cdx", missing.encode(), token, null), 422, "bomFormat", before);
    refused(c, c.send("PUT", "/reports/cdx", "{\"spdxVersion\":\"SPDX-2.3\"}", token, null), 422, "bomFormat", before);
    for (Object notAString : new Object[] {42, true, new JsonObject(), new JsonArray().add("/nix/store/" + out + "-cdx")}) {
      JsonObject s = new JsonObject(sbom(out, "root", "/nix/store/" + out + "-cdx"));
      s.put("components", new JsonArray().add(new JsonObject().put("bom-ref", "c").put("properties", new JsonArray()
          .add(new JsonObject().put("name", "nix:out_path").put("value", notAString)))));
      refused(c, c.send("PUT", "/reports/cdx", s.encode(), token, null), 422, "components[0].properties[0].value", before);
    }
    JsonObject nameNotString = new JsonObject(sbom(out, "root", "/nix/store/" + out + "-cdx"));
    nameNotString.put("components", new JsonArray().add(new JsonObject().put("properties", new JsonArray()
        .add(new JsonObject().put("name", 1).put("value", "v")))));
    refused(c, c.send("PUT", "/reports/cdx", nameNotString.encode(), token, null), 422, "components[0].properties[0].name", before);
    JsonObject refNotString = new JsonObject(sbom(out, "root", "/nix/store/" + out + "-cdx"));
    refNotString.put("components", new JsonArray().add(new JsonObject().put("bom-ref", 7)));
    refused(c, c.send("PUT", "/reports/cdx", refNotString.encode(), token, null), 422, "components[0].bom-ref", before);
  }
}
