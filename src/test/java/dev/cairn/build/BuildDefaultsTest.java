package dev.cairn.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.castore.Node;
import dev.cairn.db.Dialect;
import dev.cairn.server.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Builds with the shipped defaults: a data dir that cairn creates itself under a private (0700)
 * home, as when someone runs the README's first command there; and a machine without runc.
 */
class BuildDefaultsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> post(String url, String token, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode get(String url) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  /** DoBuild as grpcio sends it (HTTP/2 prior knowledge, one framed message), by curl; answers the headers and trailers. */
  private static String grpcDoBuild(TestServer server, String token, byte[] message) throws Exception {
    Path body = Files.createTempFile("grpc-build", ".bin");
    java.nio.ByteBuffer frame = java.nio.ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length).put(message);
    Files.write(body, frame.array());
    Process p = new ProcessBuilder("curl", "-sS", "-o", "/dev/null", "-D", "-", "--http2-prior-knowledge",
        "-H", "content-type: application/grpc", "-H", "te: trailers", "-H", "authorization: Bearer " + token,
        "--data-binary", "@" + body, server.baseUrl() + "/tvix.build.v1.BuildService/DoBuild").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    Files.delete(body);
    return out;
  }

  @Test
  void defaultBundleRootWorksForADataDirUnderAPrivateHome() throws Exception {
    Path home = Files.createTempDirectory(Path.of("/tmp"), "cairn-home-");
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
    Path data = home.resolve("cairn").resolve("data");
    Path fallback = BundleRoot.fallbackFor(data);
    try (TestServer server = TestServer.start(Dialect.POSTGRESQL, Map.of("CAIRN_DATA_DIR", data.toString()))) {
      assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)), "data_dir as cairn creates it");
      String token = server.createUser("builder");
      String api = server.baseUrl() + "/api/v1/builds";
      Node busybox = BuildApiTest.ingestBusybox(server);
      HttpResponse<String> r = post(api, token, BuildApiTest.request(busybox, "$bb mkdir -p $out && echo ok > $out/f").toString());
      assertEquals(202, r.statusCode(), r.body());
      String url = api + "/" + JSON.readTree(r.body()).get("id").asText();
      JsonNode done = get(url);
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (!done.get("state").asText().matches("succeeded|failed") && System.nanoTime() < deadline) {
        Thread.sleep(100);
        done = get(url);
      }
      assertEquals("succeeded", done.get("state").asText(), done.toString());
      assertEquals("directory", done.get("outputs").get(0).get("node").get("type").asText(), done.toString());
      assertEquals("rwx--x--x", PosixFilePermissions.toString(Files.getPosixFilePermissions(fallback)), "fallback bundle root");
    } finally {
      try (Stream<Path> left = Files.list(fallback)) {
        assertEquals(List.of(), left.toList(), "bundles left in " + fallback);
      }
      Files.delete(fallback);
    }
  }

  @Test
  void missingRuncLeavesTheServerUpAndAnswers503AndUnavailable() throws Exception {
    try (TestServer server = TestServer.start(Dialect.SQLITE, Map.of("CAIRN_BUILD_RUNC", "/nonexistent/runc"))) {
      String token = server.createUser("builder");
      String api = server.baseUrl() + "/api/v1/builds";
      Node busybox = BuildApiTest.ingestBusybox(server);
      HttpResponse<String> r = post(api, token, BuildApiTest.request(busybox, "true").toString());
      assertEquals(503, r.statusCode(), r.body());
      assertTrue(r.body().contains("build.runc") && r.body().contains("/nonexistent/runc"), r.body());
      assertTrue(get(api).get("unavailable").asText().contains("/nonexistent/runc"));
      String grpc = grpcDoBuild(server, token, BuildFixture.request(busybox, "true").build().toByteArray());
      assertTrue(grpc.contains("grpc-status: 14") && grpc.contains("build.runc"), grpc); // UNAVAILABLE
      assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/nix-cache-info")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode(), "the rest of the server still answers");
    }
  }
}
