package dev.cairn.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.users.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Jobsets and evaluations beyond lila's own tests: the upload forms, the rules, and what Cairn adds per evaluation. */
class JobsetsTest extends ServersOnBothDialects {
  static final String SHA_A = "sha256:094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic";
  static final String SHA_B = "sha256:1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s";

  private long jobset(AttestClient c, String token, String name) {
    try {
      HttpResponse<String> r = c.post("/api/jobsets", new JsonObject().put("name", name).encode(), token);
      assertEquals(200, r.statusCode(), r.body());
      return new JsonObject(r.body()).getLong("id");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** An SBOM: a root over the given outputs (each its own derivation). */
  static String sbom(String... outputs) {
    JsonArray components = new JsonArray();
    JsonArray deps = new JsonArray();
    for (String o : outputs) {
      components.add(new JsonObject().put("bom-ref", o).put("properties", new JsonArray()
          .add(new JsonObject().put("name", "nix:out_path").put("value", o))
          .add(new JsonObject().put("name", "nix:drv_path").put("value", o + ".drv"))));
      deps.add(o);
    }
    return new JsonObject().put("bomFormat", "CycloneDX").put("specVersion", "1.5")
        .put("metadata", new JsonObject().put("component", new JsonObject().put("bom-ref", outputs[0])))
        .put("components", components).put("dependencies", new JsonArray().add(new JsonObject().put("ref", outputs[0])
            .put("dependsOn", new JsonArray(deps.getList().subList(1, outputs.length))))).encode();
  }

  private static void attest(AttestClient c, String token, String path, String hash) throws Exception {
    String base = path.substring("/nix/store/".length());
    HttpResponse<String> r = c.post("/api/v1/attestations", new JsonArray().add(new JsonObject().put("drv_ident", base).put("outputs",
        new JsonArray().add(new JsonObject().put("output_digest", base.substring(0, 32)).put("output_name", base.substring(33))
            .put("output_hash", hash).put("output_sig", "")))).encode(), token);
    assertEquals(200, r.statusCode(), r.body());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void uploadsInLilasThreeFormsOneEvaluationPerRevision(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String token = c.user("uploader-" + d);
    long id = jobset(c, token, "forms-" + d);
    String p = "/nix/store/" + hashPart() + "-p";
    String body = sbom(p);
    HttpResponse<String> query = c.send("PUT", "/api/jobsets/" + id + "/upload-evaluation?git_revision=r1", body, token, null);
    assertEquals(200, query.statusCode(), query.body());
    assertEquals("r1", new JsonObject(query.body()).getString("git_revision"));
    HttpResponse<String> suffix = c.send("PUT", "/api/jobsets/" + id + "/upload-evaluation/r2", body, token, null);
    assertEquals(200, suffix.statusCode(), suffix.body());
    HttpResponse<String> wrapped = c.send("PUT", "/api/jobsets/" + id + "/upload-evaluation",
        new JsonObject().put("git_revision", "r3").put("definition", new JsonObject(body)).encode(), token, null);
    assertEquals(200, wrapped.statusCode(), wrapped.body());
    HttpResponse<String> again = c.send("PUT", "/api/jobsets/" + id + "/upload-evaluation/r2", body, token, null);
    assertEquals(409, again.statusCode(), again.body());
    assertTrue(new JsonObject(again.body()).getString("detail").contains("already exists"));
    // A raw SBOM without a revision says which field is missing; nothing is stored.
    HttpResponse<String> noRev = c.send("PUT", "/api/jobsets/" + id + "/upload-evaluation", body, token, null);
    assertEquals(422, noRev.statusCode());
    assertTrue(new JsonObject(noRev.body()).getString("detail").startsWith("git_revision"), noRev.body());
    JsonArray evaluations = new JsonArray(c.get("/api/jobsets/" + id + "/evaluations").body());
    assertEquals(3, evaluations.size());
    assertEquals("r1", evaluations.getJsonObject(0).getString("git_revision"));
    assertEquals(id, evaluations.getJsonObject(2).getLong("jobset_id"));
    assertTrue(new JsonArray(c.get("/api/evaluations").body()).size() >= 3);
    // Jobsets' reports are not lila reports.
    assertTrue(new JsonArray(c.get("/reports").body()).stream().noneMatch(n -> n.toString().startsWith("jobset/")));
    assertEquals(404, c.send("PUT", "/api/jobsets/999999/upload-evaluation/r1", body, token, null).statusCode());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void writesNeedAWritersTokenBeforeTheBodyIsRead(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String reader = c.user("reader-" + d, Role.READER);
    String writer = c.user("writer-" + d);
    long id = jobset(c, writer, "guarded-" + d);
    assertEquals(401, c.send("PUT", "/api/jobsets/" + id + "/upload-evaluation/x", "not json", null, null).statusCode());
    assertEquals(403, c.send("PUT", "/api/jobsets/" + id + "/upload-evaluation/x", "not json", reader, null).statusCode());
    assertEquals(403, c.post("/api/jobsets/" + id + "/disable", null, reader).statusCode());
    assertEquals(401, c.send("PUT", "/api/jobsets/" + id, "{}", null, null).statusCode());
    assertEquals(422, c.post("/api/jobsets", "{\"name\":\"a\u0007\"}", writer).statusCode());
    assertEquals(422, c.post("/api/jobsets", "{\"enabled\":true}", writer).statusCode());
    assertEquals(422, c.get("/api/jobsets/abc").statusCode());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void updatesEnablesAndDisables(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String token = c.user("editor-" + d);
    long id = jobset(c, token, "edit-" + d);
    jobset(c, token, "taken-" + d);
    HttpResponse<String> put = c.send("PUT", "/api/jobsets/" + id, new JsonObject().put("description", "nightly")
        .put("flakeref", "github:NixOS/nixpkgs/nixos-unstable").encode(), token, null);
    assertEquals(200, put.statusCode(), put.body());
    // lila's jobsets of Nov 2025 (web/tests/test_api.py at its "intro jobsets" commit) echo a flakeref.
    assertEquals("github:NixOS/nixpkgs/nixos-unstable", new JsonObject(put.body()).getString("flakeref"));
    assertEquals("nightly", new JsonObject(put.body()).getString("description"));
    assertEquals("edit-" + d, new JsonObject(put.body()).getString("name"));
    assertEquals(409, c.send("PUT", "/api/jobsets/" + id, new JsonObject().put("name", "taken-" + d).encode(), token, null).statusCode());
    HttpResponse<String> disable = c.post("/api/jobsets/" + id + "/disable", null, token);
    assertEquals("Jobset disabled", new JsonObject(disable.body()).getString("message"));
    assertEquals(false, new JsonObject(c.get("/api/jobsets/" + id).body()).getBoolean("enabled"));
    c.post("/api/jobsets/" + id + "/enable", null, token);
    assertEquals(true, new JsonObject(c.get("/api/jobsets/" + id).body()).getBoolean("enabled"));
    assertEquals(404, c.post("/api/jobsets/999999/enable", null, token).statusCode());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void historyCountsEachStatusPerEvaluationAndEvaluationsDiff(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String alice = c.user("alice-h-" + d);
    String bob = c.user("bob-h-" + d);
    long id = jobset(c, alice, "history-" + d);
    String root = "/nix/store/" + hashPart() + "-root";
    String same = "/nix/store/" + hashPart() + "-same";
    String differs = "/nix/store/" + hashPart() + "-differs";
    String later = "/nix/store/" + hashPart() + "-later";
    long first = new JsonObject(c.send("PUT", "/api/jobsets/" + id + "/upload-evaluation/rev1", sbom(root, same, differs), alice, null).body())
        .getLong("id");
    attest(c, alice, same, SHA_A);
    attest(c, bob, same, SHA_A);
    attest(c, alice, differs, SHA_A);
    attest(c, bob, differs, SHA_B);
    attest(c, alice, root, SHA_A);
    long second = new JsonObject(c.send("PUT", "/api/jobsets/" + id + "/upload-evaluation/rev2", sbom(root, same, later), alice, null).body())
        .getLong("id");

    JsonObject history = new JsonObject(c.get("/api/v1/jobsets/" + id + "/history").body());
    JsonArray evaluations = history.getJsonArray("evaluations");
    assertEquals(2, evaluations.size());
    JsonObject e1 = evaluations.getJsonObject(0);
    assertEquals("rev1", e1.getString("git_revision"));
    assertEquals(3, e1.getInteger("total"));
    assertEquals(1, e1.getInteger("reproducible"));
    assertEquals(1, e1.getInteger("not_reproducible"));
    assertEquals(1, e1.getInteger("unchecked"));
    assertEquals(1, e1.getJsonObject("counts").getInteger("One build"));
    assertEquals(1, e1.getJsonObject("counts").getInteger("Consistently nondeterministic"));
    JsonObject e2 = evaluations.getJsonObject(1);
    assertEquals(1, e2.getInteger("reproducible"));
    assertEquals(0, e2.getInteger("not_reproducible"));
    assertEquals(2, e2.getInteger("unchecked"));

    JsonObject diff = new JsonObject(c.get("/api/v1/evaluations/" + second + "/diff?against=" + first).body());
    assertEquals(1, diff.getJsonObject("added").getInteger("count"), diff.encode());
    assertEquals(later, diff.getJsonObject("added").getJsonArray("paths").getJsonObject(0).getString("path"));
    assertEquals(1, diff.getJsonObject("removed").getInteger("count"));
    assertEquals(differs, diff.getJsonObject("removed").getJsonArray("paths").getJsonObject(0).getString("path"));

    JsonObject builders = new JsonObject(c.get("/api/v1/evaluations/" + first + "/diff?a=alice-h-" + d + "&b=bob-h-" + d).body());
    assertEquals(1, builders.getJsonObject("disagree").getInteger("count"), builders.encode());
    assertEquals(1, builders.getJsonObject("agree").getInteger("count"));

    JsonObject report = new JsonObject(c.get("/api/v1/evaluations/" + first + "?policy=2-of:alice-h-" + d + ",bob-h-" + d).body());
    assertEquals(3, report.getJsonArray("paths").size(), report.encode());
    JsonObject franken = new JsonObject(c.get("/api/v1/evaluations/" + first + "/frankenbuilds").body());
    assertEquals(1, franken.getInteger("count"), franken.encode());
    assertEquals(root, franken.getJsonArray("paths").getJsonObject(0).getString("path"));

    assertEquals(404, c.get("/api/v1/evaluations/999999").statusCode());
    assertEquals(404, c.get("/api/v1/jobsets/999999/history").statusCode());
    assertEquals(422, c.get("/api/v1/evaluations/" + second + "/diff").statusCode());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void placeholdersAreKeptOutOfFrankenbuildsAndFlaggedInV1(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String alice = c.user("alice-p-" + d);
    String bob = c.user("bob-p-" + d);
    long id = jobset(c, alice, "placeholders-" + d);
    String root = "/nix/store/" + hashPart() + "-root";
    String placeholder = "/nix/store/ph" + d.ordinal() + "-dep";
    long eval = new JsonObject(c.send("PUT", "/api/jobsets/" + id + "/upload-evaluation/r", sbom(root, placeholder), alice, null).body()).getLong("id");
    assertEquals(200, c.post("/attestation/ph-drv", AttestClient.body("ph" + d.ordinal(), "dep", "sha256:one", "x").encode(), alice).statusCode());
    assertEquals(200, c.post("/attestation/ph-drv", AttestClient.body("ph" + d.ordinal(), "dep", "sha256:two", "y").encode(), bob).statusCode());
    JsonObject report = new JsonObject(c.get("/api/v1/evaluations/" + eval).body());
    JsonObject dep = report.getJsonArray("paths").stream().map(JsonObject.class::cast).filter(p -> placeholder.equals(p.getString("path")))
        .findFirst().orElseThrow();
    assertEquals(false, dep.getBoolean("store_path"));
    assertEquals("Consistently nondeterministic", dep.getString("status"));
    assertEquals(0, new JsonObject(c.get("/api/v1/evaluations/" + eval + "/frankenbuilds").body()).getInteger("count"));
    // /api/v1 stays strict.
    HttpResponse<String> strict = c.post("/api/v1/attestations", new JsonArray().add(new JsonObject().put("drv_ident", "ph-drv")
        .put("outputs", AttestClient.body("ph" + d.ordinal(), "dep", "sha256:one", ""))).encode(), alice);
    assertEquals(422, strict.statusCode(), strict.body());
  }
}
