package dev.cairn.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.server.TestServer;
import dev.cairn.users.UserName;
import dev.cairn.users.UserService;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Request bodies: bounded in memory across requests, spooled to disk when large, 413 as JSON on HTTP/1.1 and HTTP/2. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BodyLimitsTest {
  private static final long BUDGET = 1 << 20;
  private static final int SPOOL_ABOVE = 640 << 10;
  private final Map<Dialect, TestServer> servers = new EnumMap<>(Dialect.class);
  private final Map<Dialect, String> tokens = new EnumMap<>(Dialect.class);
  private int counter;

  @BeforeAll
  void start() throws Exception {
    for (Dialect d : Dialect.values()) {
      TestServer s = TestServer.start(d, Map.of(
          "CAIRN_HTTP_MAX_BODY_BYTES_IN_FLIGHT", String.valueOf(BUDGET),
          "CAIRN_HTTP_BODY_SPOOL_THRESHOLD_BYTES", String.valueOf(SPOOL_ABOVE)));
      servers.put(d, s);
      tokens.put(d, TestDatabase.await(new UserService(s.server().db()).create(new UserName("writer"), Optional.empty())).token());
    }
  }

  @AfterAll
  void stop() throws Exception {
    for (TestServer s : servers.values()) {
      s.close();
    }
  }

  private synchronized String hashPart() {
    counter++;
    StringBuilder b = new StringBuilder();
    for (char ch : String.format("%032d", counter).toCharArray()) {
      b.append("lmnpqrsvwx".charAt(ch - '0'));
    }
    return b.toString();
  }

  /** An NDJSON batch of {@code n} valid entries. */
  private String batch(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(new JsonObject().put("drv_ident", "/nix/store/" + hashPart() + "-b.drv").put("outputs", new io.vertx.core.json.JsonArray()
          .add(new JsonObject().put("output_digest", hashPart()).put("output_name", "b")
              .put("output_hash", "sha256:094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic").put("output_sig", ""))).encode()).append('\n');
    }
    return b.toString();
  }

  private String post(Dialect d, String path, long length) {
    return "POST " + path + " HTTP/1.1\r\nHost: cairn\r\nAuthorization: Bearer " + tokens.get(d) + "\r\nContent-Length: " + length + "\r\n\r\n";
  }

  private Path spoolDir(Dialect d) {
    return Path.of(servers.get(d).env().get("CAIRN_DATA_DIR"), "tmp", "bodies");
  }

  private static long files(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  private static void eventually(String what, java.util.function.BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, what);
      Thread.sleep(20);
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void bodiesBeyondTheInFlightBudgetGet503WithRetryAfter(Dialect d) throws Exception {
    TestServer s = servers.get(d);
    long held = 600_000;
    try (RawHttp first = new RawHttp(s.port())) {
      first.send(post(d, "/api/v1/attestations", held) + "{");
      eventually("the first body reserves its declared length", () -> s.server().bodyBytesInFlight() == held);
      try (RawHttp second = new RawHttp(s.port())) {
        RawHttp.Response r = second.send(post(d, "/api/v1/attestations", held)).read();
        assertEquals(503, r.status(), r.body());
        assertEquals(String.valueOf(RawBody.RETRY_AFTER_SECONDS), r.header("Retry-After"));
        assertTrue(new JsonObject(r.body()).getString("detail").contains("http.max_body_bytes_in_flight"), r.body());
        assertTrue(second.closedByServer());
      }
    }
    eventually("an aborted upload gives its reservation back", () -> s.server().bodyBytesInFlight() == 0);
    String body = batch(3);
    try (RawHttp again = new RawHttp(s.port())) {
      RawHttp.Response r = again.send(post(d, "/api/v1/attestations", body.length()) + body).read();
      assertEquals(200, r.status(), r.body());
    }
    eventually("released when the response ended", () -> s.server().bodyBytesInFlight() == 0);
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void bodyLargerThanTheWholeBudgetIs413(Dialect d) throws Exception {
    try (RawHttp c = new RawHttp(servers.get(d).port())) {
      RawHttp.Response r = c.send(post(d, "/api/v1/attestations", BUDGET + 1)).read();
      assertEquals(413, r.status());
      assertTrue(new JsonObject(r.body()).getString("detail").startsWith("body: larger than"), r.body());
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void largeBodiesArriveOnDiskNotInMemory(Dialect d) throws Exception {
    TestServer s = servers.get(d);
    String body = batch(3500);
    assertTrue(body.length() > SPOOL_ABOVE && body.length() < BUDGET, "between the spool threshold and the budget: " + body.length());
    int half = body.length() / 2;
    try (RawHttp c = new RawHttp(s.port())) {
      c.send(post(d, "/api/v1/attestations", body.length()) + body.substring(0, half));
      eventually("the body goes to a spool file", () -> {
        try {
          return files(spoolDir(d)) == 1;
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
      assertEquals(0, s.server().bodyBytesInFlight(), "a body on its way to disk holds no memory");
      RawHttp.Response r = c.send(body.substring(half)).read();
      assertEquals(200, r.status(), r.body());
      assertEquals(3500, new JsonObject(r.body()).getInteger("accepted"));
    }
    eventually("the spool file is deleted and the memory released", () -> {
      try {
        return files(spoolDir(d)) == 0 && s.server().bodyBytesInFlight() == 0;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void chunkedBodyMovesToDiskWhenItOutgrowsTheThreshold(Dialect d) throws Exception {
    String body = batch(3500);
    HttpRequest request = HttpRequest.newBuilder(URI.create(servers.get(d).baseUrl() + "/api/v1/attestations"))
        .header("Authorization", "Bearer " + tokens.get(d))
        // An InputStream of unknown length goes out chunked, with no Content-Length.
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))))
        .version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(3500, new JsonObject(r.body()).getInteger("accepted"));
    eventually("the spool file is deleted and the memory released", () -> {
      try {
        return files(spoolDir(d)) == 0 && servers.get(d).server().bodyBytesInFlight() == 0;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void oversizedBodyIs413WithJsonOnHttp2(Dialect d) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      var client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
      Buffer big = Buffer.buffer(new byte[(8 << 20) + 1]);
      for (boolean declared : new boolean[] {true, false}) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(servers.get(d).port())
            .setURI("/attestation/" + hashPart() + "-big").putHeader("Authorization", "Bearer " + tokens.get(d));
        var response = client.request(options).compose(req -> {
          if (!declared) {
            req.setChunked(true);
            req.write(big.slice(0, 4 << 20));
            return req.end(big.slice(4 << 20, big.length())).compose(v -> req.response());
          }
          return req.send(big);
        }).compose(resp -> resp.body().map(b -> Map.entry(resp, b))).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(HttpVersion.HTTP_2, response.getKey().version());
        assertEquals(413, response.getKey().statusCode(), "declared length " + declared);
        assertEquals("application/json", response.getKey().getHeader("Content-Type"));
        assertTrue(new JsonObject(response.getValue()).getString("detail").contains("larger than the limit of 8388608 bytes"));
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
