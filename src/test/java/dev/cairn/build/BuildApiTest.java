package dev.cairn.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.build.fuse.FuseMount;
import dev.cairn.castore.Node;
import dev.cairn.castore.PathComponent;
import dev.cairn.db.Dialect;
import dev.cairn.server.TestServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** /api/v1/builds on a real server: the queue, 429, log streaming, cancellation, validation, shutdown mid-build. */
class BuildApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  static Node ingestBusybox(TestServer server) throws Exception {
    Path tree = Files.createTempDirectory("cairn-bb-").resolve("tree");
    Files.createDirectories(tree.resolve("bin"));
    Files.copy(Path.of("/bin/busybox"), tree.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
    Files.setPosixFilePermissions(tree.resolve("bin/busybox"), PosixFilePermissions.fromString("r-xr-xr-x"));
    return server.server().store().ingester().ingest(tree).root().withName(PathComponent.of(BuildFixture.INPUT));
  }

  static ObjectNode request(Node busybox, String script) {
    ObjectNode r = JSON.createObjectNode();
    r.putArray("inputs").add(BuildJson.node(busybox));
    r.putArray("command_args").add("/nix/store/" + BuildFixture.INPUT + "/bin/busybox").add("sh").add("-c").add(script);
    r.put("working_dir", "build");
    r.putArray("scratch_paths").add("build").add("nix/store");
    r.put("inputs_dir", "nix/store");
    r.putArray("outputs").add(BuildFixture.OUTPUT);
    r.putArray("environment_vars").addObject().put("key", "bb").put("value", "/nix/store/" + BuildFixture.INPUT + "/bin/busybox");
    ((com.fasterxml.jackson.databind.node.ArrayNode) r.get("environment_vars")).addObject().put("key", "out").put("value", "/" + BuildFixture.OUTPUT);
    return r;
  }

  private HttpResponse<String> send(String method, String url, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).method(method,
        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode get(String url) throws Exception {
    HttpResponse<String> r = send("GET", url, null, null);
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  private JsonNode waitFinished(String url) throws Exception {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline) {
      JsonNode j = get(url);
      if (j.get("state").asText().equals("succeeded") || j.get("state").asText().equals("failed")) {
        return j;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("build did not finish: " + url);
  }

  @Test
  void queueBoundLogStreamingCancelAndValidation() throws Exception {
    Path root = Files.createTempDirectory(Path.of("/tmp"), "cairn-builds-api-");
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
    try (TestServer server = TestServer.start(Dialect.SQLITE, Map.of("CAIRN_BUILD_BUNDLE_ROOT", root.toString(),
        "CAIRN_BUILD_MAX_CONCURRENT", "2", "CAIRN_BUILD_MAX_QUEUED", "1"))) {
      String token = server.createUser("builder");
      String api = server.baseUrl() + "/api/v1/builds";
      Node busybox = ingestBusybox(server);

      // Validation before anything starts, and only for a writer.
      ObjectNode bad = request(busybox, "true");
      bad.putArray("outputs").add("elsewhere/out");
      HttpResponse<String> refused = send("POST", api, token, bad.toString());
      assertEquals(422, refused.statusCode(), refused.body());
      assertTrue(refused.body().contains("outputs[0]") && refused.body().contains("not under any scratch path"), refused.body());
      assertEquals(401, send("POST", api, null, request(busybox, "true").toString()).statusCode());

      // Two run, the third waits, the fourth is refused.
      String slow = "echo first; $bb sleep 3; echo second; $bb mkdir -p $out";
      List<String> ids = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> r = send("POST", api, token, request(busybox, slow).toString());
        assertEquals(202, r.statusCode(), r.body());
        ids.add(JSON.readTree(r.body()).get("id").asText());
      }
      HttpResponse<String> full = send("POST", api, token, request(busybox, slow).toString());
      assertEquals(429, full.statusCode(), full.body());
      JsonNode status = get(api);
      assertEquals(2, status.get("max_concurrent").asInt());
      assertEquals(2, status.get("running").size(), status.toString());
      assertEquals(1, status.get("queue_length").asInt(), status.toString());
      assertEquals(ids.get(2), status.get("queued").get(0).get("id").asText());
      assertEquals("queued", get(api + "/" + ids.get(2)).get("state").asText());

      // The log streams while the build runs.
      HttpResponse<java.io.InputStream> log = http.send(HttpRequest.newBuilder(URI.create(api + "/" + ids.get(0) + "/log")).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(log.body(), StandardCharsets.UTF_8))) {
        assertEquals("first", lines.readLine());
        assertEquals("running", get(api + "/" + ids.get(0)).get("state").asText(), "first line arrived while running");
        assertEquals("second", lines.readLine());
        assertEquals(null, lines.readLine());
      }

      // Cancel the queued-then-running third one.
      JsonNode first = waitFinished(api + "/" + ids.get(0));
      assertEquals("succeeded", first.get("state").asText(), first.toString());
      assertEquals("directory", first.get("outputs").get(0).get("node").get("type").asText(), first.toString());
      assertEquals(401, send("DELETE", api + "/" + ids.get(2), null, null).statusCode());
      HttpResponse<String> cancel = send("DELETE", api + "/" + ids.get(2), token, null);
      assertEquals(202, cancel.statusCode(), cancel.body());
      JsonNode third = waitFinished(api + "/" + ids.get(2));
      assertEquals("cancelled", third.get("failure").asText(), third.toString());
      waitFinished(api + "/" + ids.get(1));
      assertEquals(404, send("GET", api + "/nope", null, null).statusCode());

      // Shutdown mid-build: the server cancels and cleans up before it is gone.
      HttpResponse<String> last = send("POST", api, token, request(busybox, "echo started; $bb sleep 60").toString());
      assertEquals(202, last.statusCode(), last.body());
      String lastId = JSON.readTree(last.body()).get("id").asText();
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (!get(api + "/" + lastId).get("state").asText().equals("running") && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      Thread.sleep(500);
    }
    assertEquals(List.of(), FuseMount.mountsUnder(root), "mounts left after shutdown");
    try (Stream<Path> left = Files.list(root)) {
      assertEquals(List.of(), left.toList(), "bundles left after shutdown");
    }
    assertTrue(!Sh.ok("runc", "list").contains(root.toString()), "containers left after shutdown");
  }
}
