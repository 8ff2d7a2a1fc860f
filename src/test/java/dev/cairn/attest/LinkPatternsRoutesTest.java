package dev.cairn.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.users.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Link patterns are an operator's: validated when added, deletable, and never able to hang a render. */
class LinkPatternsRoutesTest extends ServersOnBothDialects {
  private static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String detail(HttpResponse<String> r) {
    return new JsonObject(r.body()).getString("detail");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void catastrophicPatternsRenderInBoundedTime(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String admin = c.user("lp-admin-" + d, Role.ADMIN);
    String alice = c.user("lp-alice-" + d);
    String bob = c.user("lp-bob-" + d);
    for (String p : new String[] {"((r+)+)+b", "(.*r){10}b"}) {
      HttpResponse<String> r = c.post("/link_patterns?pattern=" + q(p) + "&link=" + q("https://example.org/" + d), null, admin);
      assertEquals(200, r.statusCode(), r.body());
    }
    // Thirty disagreeing paths whose names are long runs of 'r' without a 'b': the input that
    // makes a backtracking engine take exponential time on both patterns.
    JsonArray components = new JsonArray();
    String[] outs = new String[30];
    for (int i = 0; i < outs.length; i++) {
      outs[i] = hashPart();
      components.add(new JsonObject().put("bom-ref", "p" + i).put("properties", new JsonArray()
          .add(new JsonObject().put("name", "nix:out_path").put("value", "/nix/store/" + outs[i] + "-" + "r".repeat(200) + i))));
    }
    String name = "catastrophic-" + d;
    JsonObject sbom = new JsonObject().put("bomFormat", "CycloneDX").put("metadata", new JsonObject().put("component", new JsonObject().put("bom-ref", "p0")))
        .put("components", components);
    HttpResponse<String> put = c.send("PUT", "/reports/" + name, sbom.encode(), alice, null);
    assertEquals(200, put.statusCode(), put.body());
    for (int i = 0; i < outs.length; i++) {
      String n = "r".repeat(200) + i;
      c.post("/attestation/" + hashPart() + "-x", AttestClient.body(outs[i], n, LilaRoutesTest.SHA_NIX, "").encode(), alice);
      c.post("/attestation/" + hashPart() + "-x", AttestClient.body(outs[i], n, "sha256:" + "1".repeat(52), "").encode(), bob);
    }
    long start = System.nanoTime();
    HttpResponse<String> html = c.send("GET", "/reports/" + name, null, null, "text/html");
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("HTML report with 30 disagreeing paths and both patterns (" + d + "): " + millis + " ms");
    assertEquals(200, html.statusCode());
    assertTrue(html.body().contains("<h3>other</h3>"), "no pattern matched");
    assertTrue(html.body().contains("not-reproducible\">30 (100.0%)"), html.body().substring(0, Math.min(2000, html.body().length())));
    // java.util.regex took 4.7 s per match of ((r+)+)+b on 30 characters and never finished (.*r){10}b.
    assertTrue(millis < 5_000, "render took " + millis + " ms");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void patternsAndLinksAreValidatedAndOnlyAnAdminAddsOrDeletesThem(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String admin = c.user("lpv-admin-" + d, Role.ADMIN);
    String writer = c.user("lpv-writer-" + d);
    String link = q("https://example.org/python-" + d);
    HttpResponse<String> nested = c.post("/link_patterns?pattern=" + q("((a{20}){20}){20}") + "&link=" + link, null, admin);
    assertEquals(422, nested.statusCode());
    assertTrue(detail(nested).startsWith("pattern: "), nested.body());
    HttpResponse<String> tooLong = c.post("/link_patterns?pattern=" + "a".repeat(201) + "&link=" + link, null, admin);
    assertEquals(422, tooLong.statusCode());
    assertEquals("pattern: must be 1..200 characters", detail(tooLong));
    HttpResponse<String> script = c.post("/link_patterns?pattern=python&link=" + q("javascript:alert(1)"), null, admin);
    assertEquals(422, script.statusCode());
    assertEquals("link: must be an http:// or https:// URL", detail(script));
    HttpResponse<String> nul = c.post("/link_patterns?pattern=py%00thon&link=" + link, null, admin);
    assertEquals(422, nul.statusCode());
    assertEquals("pattern: control character U+0000 at position 2 (control characters are refused)", detail(nul));

    assertEquals(403, c.post("/link_patterns?pattern=python-" + d + "&link=" + link, null, writer).statusCode());
    assertEquals(200, c.post("/link_patterns?pattern=python-" + d + "&link=" + link, null, admin).statusCode());
    assertEquals(200, c.post("/api/link_patterns?pattern=python-" + d + "&link=" + q("https://example.org/other"), null, admin).statusCode());
    JsonObject expected = new JsonObject().put("pattern", "python-" + d).put("link", "https://example.org/python-" + d);
    assertTrue(new JsonArray(c.get("/link_patterns").body()).contains(expected));

    assertEquals(401, c.send("DELETE", "/link_patterns?pattern=python-" + d, null, null, null).statusCode());
    assertEquals(403, c.send("DELETE", "/link_patterns?pattern=python-" + d, null, writer, null).statusCode());
    assertEquals(422, c.send("DELETE", "/link_patterns", null, admin, null).statusCode());
    HttpResponse<String> one = c.send("DELETE", "/link_patterns?pattern=python-" + d + "&link=" + link, null, admin, null);
    assertEquals(200, one.statusCode(), one.body());
    assertEquals(1, new JsonObject(one.body()).getInteger("deleted"));
    assertFalse(new JsonArray(c.get("/link_patterns").body()).contains(expected));
    HttpResponse<String> rest = c.send("DELETE", "/api/link_patterns?pattern=python-" + d, null, admin, null);
    assertEquals(1, new JsonObject(rest.body()).getInteger("deleted"));
    HttpResponse<String> none = c.send("DELETE", "/link_patterns?pattern=python-" + d, null, admin, null);
    assertEquals(404, none.statusCode());
    assertEquals("pattern: no such link pattern", detail(none));
  }
}
