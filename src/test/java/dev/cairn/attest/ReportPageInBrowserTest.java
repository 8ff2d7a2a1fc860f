package dev.cairn.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.server.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The HTML report as a person sees it: rendered by headless Chromium, DOM and screenshot checked. */
class ReportPageInBrowserTest {
  @TempDir
  Path tmp;

  private byte[] chromium(String... args) throws Exception {
    return Chromium.run(tmp, args);
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void reportPageShowsTitleCountsAndTree(Dialect d) throws Exception {
    try (TestServer server = TestServer.start(d)) {
      AttestClient c = new AttestClient(server);
      String alice = c.user("alice");
      String bob = c.user("bob");
      String operator = c.user("operator", dev.cairn.users.Role.ADMIN);
      String[] hashes = {"lmnpqrsvwxlmnpqrsvwxlmnpqrsvwxl0", "lmnpqrsvwxlmnpqrsvwxlmnpqrsvwxl1", "lmnpqrsvwxlmnpqrsvwxlmnpqrsvwxl2",
          "lmnpqrsvwxlmnpqrsvwxlmnpqrsvwxl3"};
      String[] names = {"firefox-120", "python3-3.11", "openssl-3.0", "zlib-1.3"};
      JsonArray components = new JsonArray();
      JsonArray deps = new JsonArray();
      for (int i = 1; i < 4; i++) {
        components.add(new JsonObject().put("bom-ref", names[i]).put("properties", new JsonArray()
            .add(new JsonObject().put("name", "nix:out_path").put("value", "/nix/store/" + hashes[i] + "-" + names[i]))));
      }
      deps.add(new JsonObject().put("ref", names[0]).put("dependsOn", new JsonArray().add(names[1]).add(names[2])));
      deps.add(new JsonObject().put("ref", names[2]).put("dependsOn", new JsonArray().add(names[3])));
      JsonObject sbom = new JsonObject().put("bomFormat", "CycloneDX").put("metadata", new JsonObject().put("component", new JsonObject().put("bom-ref", names[0])
          .put("properties", new JsonArray().add(new JsonObject().put("name", "nix:out_path").put("value", "/nix/store/" + hashes[0] + "-" + names[0])))))
          .put("components", components).put("dependencies", deps);
      assertEquals(200, c.send("PUT", "/reports/browser-demo", sbom.encode(), alice, null).statusCode());
      String same = LilaRoutesTest.SHA_NIX;
      String other = "sha256:" + "1".repeat(52);
      for (int i = 0; i < 4; i++) {
        c.post("/attestation/" + hashes[i] + "-d" + i, AttestClient.body(hashes[i], names[i], same, "").encode(), alice);
      }
      c.post("/attestation/" + hashes[0] + "-d0", AttestClient.body(hashes[0], names[0], same, "").encode(), bob);
      c.post("/attestation/" + hashes[1] + "-d1", AttestClient.body(hashes[1], names[1], other, "").encode(), bob);
      c.post("/link_patterns?pattern=python&link=https%3A%2F%2Fexample.org%2Fpython-team", null, operator);

      String url = server.baseUrl() + "/reports/browser-demo";
      String dom = new String(chromium("--dump-dom", url), StandardCharsets.UTF_8);
      assertTrue(dom.contains("<title>Report browser-demo — Cairn</title>"), dom);
      assertTrue(dom.contains("<td id=\"total\">4</td>"), dom);
      assertTrue(dom.contains("<td id=\"not-reproducible\">1 (25.0%)</td>"), dom);
      assertTrue(dom.contains("<td id=\"not-checked\">2 (50.0%)</td>"), dom);
      assertTrue(dom.contains("https://example.org/python-team"), "disagreements grouped by link pattern");
      assertTrue(dom.contains("/attestations/by-output/" + hashes[1] + "-" + names[1]), "links to each output's attestations");

      Path png = tmp.resolve("report.png");
      chromium("--window-size=1200,900", "--screenshot=" + png, url);
      byte[] image = Files.readAllBytes(png);
      assertTrue(image.length > 10_000, "a real page, not a blank one: " + image.length + " bytes");
      assertEquals(0x89504e47, java.nio.ByteBuffer.wrap(image).getInt(), "PNG");
      assertEquals(1200, java.nio.ByteBuffer.wrap(image, 16, 4).getInt(), "width");
      Files.createDirectories(Path.of("target"));
      Files.copy(png, Path.of("target", "report-" + d.name().toLowerCase() + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
