package dev.cairn.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.cairn.db.Dialect;
import dev.cairn.server.TestServer;
import dev.cairn.users.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** http.private: true — reads need a reader's token, over HTTP and gRPC; the probes stay open. */
class PrivateReadsTest {
  static HttpResponse<String> get(TestServer s, String path, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.baseUrl() + path));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A gRPC Stat call as grpcio sends it (HTTP/2 with prior knowledge, a framed message), by curl; answers grpc-status. */
  static String grpcStatus(TestServer s, String authorization) throws Exception {
    java.nio.file.Path body = java.nio.file.Files.createTempFile("grpc-stat", ".bin");
    // StatBlobRequest{digest: 32 bytes}: frame header (uncompressed, length 34), field 1, length 32.
    byte[] frame = new byte[5 + 34];
    frame[4] = 34;
    frame[5] = 0x0a;
    frame[6] = 32;
    java.nio.file.Files.write(body, frame);
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("curl", "-sS", "-o", "/dev/null", "-D", "-",
        "--http2-prior-knowledge", "-H", "content-type: application/grpc", "-H", "te: trailers", "--data-binary", "@" + body));
    if (authorization != null) {
      cmd.addAll(java.util.List.of("-H", "authorization: " + authorization));
    }
    cmd.add(s.baseUrl() + "/tvix.castore.v1.BlobService/Stat");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    java.nio.file.Files.delete(body);
    return out.lines().filter(l -> l.startsWith("grpc-status:")).map(l -> l.substring("grpc-status:".length()).trim())
        .findFirst().orElse("none: " + out);
  }

  @ParameterizedTest @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void readsNeedAReaderTokenWhileProbesStayOpen(Dialect dialect) throws Exception {
    try (TestServer s = TestServer.start(dialect, Map.of("CAIRN_HTTP_PRIVATE", "true"))) {
      String reader = s.createUser("rita", Role.READER);
      HttpResponse<String> anonymous = get(s, "/api/v1/reports/x", null);
      assertEquals(401, anonymous.statusCode());
      assertEquals("Basic realm=\"cairn\"", anonymous.headers().firstValue("WWW-Authenticate").orElse(""));
      assertEquals(401, get(s, "/api/v1/reports/x", "Bearer not-a-token").statusCode());
      assertEquals(200, get(s, "/healthz", null).statusCode());
      assertEquals(200, get(s, "/readyz", null).statusCode());
      // Bearer, and Basic as Nix sends it from netrc (any login, the token as password).
      assertEquals(404, get(s, "/api/v1/reports/x", "Bearer " + reader).statusCode());
      String basic = "Basic " + Base64.getEncoder().encodeToString(("x:" + reader).getBytes(StandardCharsets.UTF_8));
      assertEquals(404, get(s, "/api/v1/reports/x", basic).statusCode());
      // A reader still may not write.
      HttpResponse<String> write = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(s.baseUrl() + "/api/v1/attestations"))
          .header("Authorization", "Bearer " + reader).POST(HttpRequest.BodyPublishers.ofString("[]")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(403, write.statusCode(), write.body());

      assertEquals("16", grpcStatus(s, null)); // UNAUTHENTICATED
      assertEquals("5", grpcStatus(s, "Bearer " + reader)); // NOT_FOUND: the read went through
      s.revokeUser("rita");
      Thread.sleep(1100); // the token cache's bound
      assertEquals(401, get(s, "/api/v1/reports/x", "Bearer " + reader).statusCode());
    }
  }

  @ParameterizedTest @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aPublicInstanceServesReadsAnonymously(Dialect dialect) throws Exception {
    try (TestServer s = TestServer.start(dialect)) {
      assertNotEquals(401, get(s, "/api/v1/reports/x", null).statusCode());
    }
  }
}
