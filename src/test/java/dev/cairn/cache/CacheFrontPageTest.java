package dev.cairn.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.nix.RealNix;
import dev.cairn.server.HeadlessChromium;
import dev.cairn.server.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** GET /: what the cache holds, its keys and the nix.conf lines with the address the reader used. */
class CacheFrontPageTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  Path tmp;

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void theFrontPageSaysWhatTheCacheHoldsAndHowToUseIt(Dialect dialect) throws Exception {
    RealNix src = new RealNix(tmp.resolve("src"));
    Files.createDirectories(tmp.resolve("tree/sub"));
    Path tree = tmp.resolve("tree");
    byte[] big = new byte[400_000];
    new Random(11).nextBytes(big);
    Files.write(tree.resolve("big"), big);
    Files.write(tree.resolve("sub/same-as-big"), big);
    Files.writeString(tree.resolve("small"), "small " + tmp);
    Path single = Files.writeString(tmp.resolve("single"), "small " + tmp);
    List<String> paths = List.of(src.add(tree), src.add(single));

    try (TestServer server = TestServer.start(dialect)) {
      long narBytes = 0;
      for (String path : paths) {
        JsonObject info = new JsonArray(src.pathInfoJson(path)).getJsonObject(0);
        BinaryCacheTest.put(server.server().store(), info, src.ok("nix-store", "--dump", src.realPath(path).toString()).stdout());
        narBytes += info.getLong("narSize");
      }
      // Distinct contents: the big file once, the small one once (both paths hold it).
      Map<String, Long> distinct = new HashMap<>();
      try (Stream<Path> files = Stream.concat(Files.walk(tree), Stream.of(single))) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          distinct.put(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))),
              Files.size(f));
        }
      }
      long stored = distinct.values().stream().mapToLong(Long::longValue).sum();
      String key = new JsonObject(HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/v1/cache/public-keys")).build(),
          HttpResponse.BodyHandlers.ofString()).body()).getJsonArray("public_keys").getString(0);

      HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, page.statusCode());
      assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow());
      String html = page.body();
      assertTrue(html.contains("<td class=\"n\" id=\"paths\">2</td>"), html);
      assertTrue(html.contains("id=\"nar-bytes\">" + String.format(Locale.ROOT, "%,d bytes", narBytes)), html);
      assertTrue(html.contains("id=\"stored-bytes\">" + String.format(Locale.ROOT, "%,d bytes", stored)), html);
      assertTrue(stored < narBytes / 2, "the duplicate file is stored once");
      assertTrue(html.contains("<code class=\"key\">" + key + "</code>"), html);
      assertTrue(html.contains("extra-substituters = " + server.baseUrl() + "\n"), html);
      assertTrue(html.contains("extra-trusted-public-keys = " + key + "</pre>"), html);

      // The lines use the address the reader asked for; what comes from the request is escaped.
      RealNix.Result other = src.ok("curl", "-s", "-H", "Host: cache.example.org:8443", server.baseUrl() + "/");
      assertTrue(other.out().contains("extra-substituters = http://cache.example.org:8443\n"), other.out());
      RealNix.Result hostile = src.run("curl", "-s", "-H", "Host: a\"<b>", server.baseUrl() + "/");
      assertFalse(hostile.out().contains("a\"<b>"), hostile.out());

      // A real browser renders it.
      HeadlessChromium chromium = new HeadlessChromium(tmp.resolve("chromium"));
      String dom = new String(chromium.run("--dump-dom", server.baseUrl() + "/"), StandardCharsets.UTF_8);
      assertTrue(dom.contains("extra-trusted-public-keys = " + key), dom);
      Path png = tmp.resolve("front.png");
      chromium.run("--window-size=1000,800", "--screenshot=" + png, server.baseUrl() + "/");
      byte[] image = Files.readAllBytes(png);
      assertTrue(image.length > 10_000, "a real page, not a blank one: " + image.length + " bytes");
      assertEquals(0x89504e47, java.nio.ByteBuffer.wrap(image).getInt(), "PNG");
      Files.createDirectories(Path.of("target"));
      Files.copy(png, Path.of("target", "cache-front-" + dialect.name().toLowerCase(Locale.ROOT) + ".png"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
