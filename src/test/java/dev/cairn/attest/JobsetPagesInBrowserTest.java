package dev.cairn.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.server.TestServer;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The jobset pages as a person sees them, rendered by headless Chromium: DOM checked, and the history chart's colours in the screenshot. */
class JobsetPagesInBrowserTest {
  @TempDir
  Path tmp;

  private byte[] chromium(String... args) throws Exception {
    return new dev.cairn.server.HeadlessChromium(tmp).run(args);
  }

  private String dom(String url) throws Exception {
    return new String(chromium("--dump-dom", url), StandardCharsets.UTF_8);
  }

  /** How many pixels of the screenshot have exactly this colour (the chart's fills are flat). */
  private static int pixels(BufferedImage image, String hex) {
    int rgb = Integer.parseInt(hex.substring(1), 16);
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) == rgb) {
          n++;
        }
      }
    }
    return n;
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void jobsetListHistoryChartEvaluationTreeAndOutputClusters(Dialect d) throws Exception {
    try (TestServer server = TestServer.start(d)) {
      AttestClient c = new AttestClient(server);
      String alice = c.user("alice");
      String bob = c.user("bob");
      long id = new JsonObject(c.post("/api/jobsets", new JsonObject().put("name", "nixos-unstable").put("description", "the channel").encode(), alice)
          .body()).getLong("id");
      String root = "/nix/store/lmnpqrsvwxlmnpqrsvwxlmnpqrsvwx00-firefox-120";
      String same = "/nix/store/lmnpqrsvwxlmnpqrsvwxlmnpqrsvwx01-zlib-1.3";
      String differs = "/nix/store/lmnpqrsvwxlmnpqrsvwxlmnpqrsvwx02-python3-3.11";
      String unbuilt = "/nix/store/lmnpqrsvwxlmnpqrsvwxlmnpqrsvwx03-openssl-3.0";
      assertEquals(200, c.send("PUT", "/api/jobsets/" + id + "/upload-evaluation/aaaaaaa1", JobsetsTest.sbom(root, same, differs), alice, null)
          .statusCode());
      c.post("/attestation/" + same.substring(11) , AttestClient.body(same.substring(11, 43), same.substring(44), JobsetsTest.SHA_A, "").encode(), alice);
      c.post("/attestation/" + same.substring(11), AttestClient.body(same.substring(11, 43), same.substring(44), JobsetsTest.SHA_A, "").encode(), bob);
      c.post("/attestation/" + differs.substring(11), AttestClient.body(differs.substring(11, 43), differs.substring(44), JobsetsTest.SHA_A, "").encode(), alice);
      c.post("/attestation/" + differs.substring(11), AttestClient.body(differs.substring(11, 43), differs.substring(44), JobsetsTest.SHA_B, "").encode(), bob);
      long second = new JsonObject(c.send("PUT", "/api/jobsets/" + id + "/upload-evaluation/bbbbbbb2", JobsetsTest.sbom(root, same, unbuilt), alice, null)
          .body()).getLong("id");

      String list = dom(server.baseUrl() + "/jobsets");
      assertTrue(list.contains("<a href=\"/jobsets/" + id + "\">nixos-unstable</a>"), list);

      String history = dom(server.baseUrl() + "/jobsets/" + id);
      assertTrue(history.contains("<title>Jobset nixos-unstable — Cairn</title>"), history);
      assertTrue(history.contains("<svg id=\"history\""), history);
      assertTrue(history.contains("<td>aaaaaaa1</td><td>3</td><td>1</td><td>1</td><td>1</td>"), history);
      assertTrue(history.contains("<td>bbbbbbb2</td><td>3</td><td>1</td><td>0</td><td>2</td>"), history);

      String tree = dom(server.baseUrl() + "/evaluations/" + second);
      assertTrue(tree.contains("nixos-unstable @ bbbbbbb2"), tree);
      assertTrue(tree.contains("openssl-3.0"), tree);

      String output = dom(server.baseUrl() + "/outputs/" + differs.substring(11));
      assertTrue(output.contains("<p id=\"status\">Consistently nondeterministic</p>"), output);
      assertTrue(output.contains(JobsetsTest.SHA_A) && output.contains(JobsetsTest.SHA_B) && output.contains("alice") && output.contains("bob"), output);

      Path png = tmp.resolve("history.png");
      chromium("--window-size=800,600", "--screenshot=" + png, server.baseUrl() + "/jobsets/" + id);
      BufferedImage image = ImageIO.read(png.toFile());
      assertEquals(800, image.getWidth());
      // Two bars of 40×240 px: a third of the first and of the second reproducible (green), a third of the first not
      // reproducible (red), the rest unchecked (grey). Colours are exact: the fills are flat rectangles.
      int bar = JobsetViews.BAR * JobsetViews.HEIGHT;
      int green = pixels(image, JobsetViews.OK);
      int red = pixels(image, JobsetViews.BAD);
      int grey = pixels(image, JobsetViews.UNCHECKED);
      assertTrue(Math.abs(green - 2 * bar / 3) < bar / 10 + 1500, "green " + green);
      assertTrue(Math.abs(red - bar / 3) < bar / 10 + 1500, "red " + red);
      assertTrue(Math.abs(grey - bar) < bar / 10 + 1500, "grey " + grey);
      Files.createDirectories(Path.of("target"));
      Files.copy(png, Path.of("target", "jobset-history-" + d.name().toLowerCase() + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
