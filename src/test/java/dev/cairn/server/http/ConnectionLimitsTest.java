package dev.cairn.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.server.TestServer;
import dev.cairn.users.UserName;
import dev.cairn.users.UserService;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Connection cap and timeouts: idle, header (slowloris), body; on HTTP/1.1 and HTTP/2 (gRPC's transport). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectionLimitsTest {
  private static final int CAP = 40;
  private static final int HEADER_SECONDS = 2;
  private static final int IDLE_SECONDS = 4;
  private static final int BODY_SECONDS = 2;
  private final Map<Dialect, TestServer> servers = new EnumMap<>(Dialect.class);
  private final Map<Dialect, String> tokens = new EnumMap<>(Dialect.class);

  @BeforeAll
  void start() throws Exception {
    for (Dialect d : Dialect.values()) {
      TestServer s = TestServer.start(d, Map.of(
          "CAIRN_HTTP_MAX_CONNECTIONS", String.valueOf(CAP),
          "CAIRN_HTTP_HEADER_TIMEOUT_SECONDS", String.valueOf(HEADER_SECONDS),
          "CAIRN_HTTP_IDLE_TIMEOUT_SECONDS", String.valueOf(IDLE_SECONDS),
          "CAIRN_HTTP_BODY_TIMEOUT_SECONDS", String.valueOf(BODY_SECONDS)));
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

  private static long millisSince(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  private void waitForNoConnections(Dialect d) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (servers.get(d).server().openConnections() > 0) {
      assertTrue(System.nanoTime() < deadline, "connections left open: " + servers.get(d).server().openConnections());
      Thread.sleep(50);
    }
  }

  private int healthz(Dialect d) throws IOException {
    try (RawHttp c = new RawHttp(servers.get(d).port())) {
      return c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").read().status();
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void connectionsAboveTheCapAreClosedAtOnceAndHealthzAnswersWhenIdleOnesTimeOut(Dialect d) throws Exception {
    waitForNoConnections(d);
    List<RawHttp> silent = new ArrayList<>();
    try {
      for (int i = 0; i < CAP; i++) {
        silent.add(new RawHttp(servers.get(d).port()));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (servers.get(d).server().openConnections() < CAP) {
        assertTrue(System.nanoTime() < deadline, "accepted: " + servers.get(d).server().openConnections());
        Thread.sleep(10);
      }
      for (int i = 0; i < 10; i++) {
        try (RawHttp over = new RawHttp(servers.get(d).port())) {
          over.socket.setSoTimeout(1000);
          long start = System.nanoTime();
          assertTrue(over.closedByServer(), "a connection above the cap is closed");
          assertTrue(millisSince(start) < 1000, "promptly: " + millisSince(start) + " ms");
        }
      }
      // The silent connections never sent a request: the header timeout closes them.
      for (RawHttp c : silent) {
        c.socket.setSoTimeout((HEADER_SECONDS + 3) * 1000);
        assertTrue(c.closedByServer(), "a connection that sends nothing is closed by the header timeout");
      }
      assertEquals(200, healthz(d), "a fresh connection is served once the idle ones are gone");
    } finally {
      for (RawHttp c : silent) {
        c.close();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void slowlorisHeadersAreCutOffAtTheHeaderTimeout(Dialect d) throws Exception {
    try (RawHttp c = new RawHttp(servers.get(d).port())) {
      long start = System.nanoTime();
      c.send("GET /healthz HTTP/1.1\r\n");
      boolean closed = false;
      for (int i = 0; i < 40 && !closed; i++) {
        Thread.sleep(250);
        try {
          c.send("X-Slow-" + i + ": a\r\n");
        } catch (IOException reset) {
          closed = true;
        }
      }
      c.socket.setSoTimeout(3000);
      assertTrue(closed || c.closedByServer(), "closed");
      long took = millisSince(start);
      assertTrue(took >= HEADER_SECONDS * 1000 - 100 && took < HEADER_SECONDS * 1000 + 1500, "closed after " + took + " ms");
    }
    assertEquals(200, healthz(d));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void keptAliveConnectionIsIdleTimedAndItsNextRequestHeaderTimed(Dialect d) throws Exception {
    try (RawHttp c = new RawHttp(servers.get(d).port())) {
      assertEquals(200, c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
      // Longer than the header timeout, shorter than the idle timeout: a kept-alive connection stays.
      Thread.sleep((HEADER_SECONDS + 1) * 1000L);
      assertEquals(200, c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").read().status(), "idle keep-alive is not a slow header");
      long start = System.nanoTime();
      c.send("GET /healthz HTTP/1.1\r\n");
      c.socket.setSoTimeout((HEADER_SECONDS + 2) * 1000);
      assertTrue(c.closedByServer());
      long took = millisSince(start);
      assertTrue(took < HEADER_SECONDS * 1000 + 1500, "the next request's headers are timed from its first byte: " + took + " ms");
    }
    try (RawHttp c = new RawHttp(servers.get(d).port())) {
      assertEquals(200, c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
      long start = System.nanoTime();
      c.socket.setSoTimeout((IDLE_SECONDS + 3) * 1000);
      assertTrue(c.closedByServer());
      long took = millisSince(start);
      assertTrue(took >= IDLE_SECONDS * 1000 - 200 && took < IDLE_SECONDS * 1000 + 2000, "idle timeout: " + took + " ms");
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void slowBodyGets408AtTheBodyTimeout(Dialect d) throws Exception {
    try (RawHttp c = new RawHttp(servers.get(d).port())) {
      long start = System.nanoTime();
      c.send("POST /api/v1/attestations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + tokens.get(d) + "\r\nContent-Length: 1000\r\n\r\n[");
      for (int i = 0; i < 6; i++) {
        Thread.sleep(300);
        c.send(" ");
      }
      RawHttp.Response r = c.read();
      long took = millisSince(start);
      assertEquals(408, r.status(), r.body());
      assertTrue(new JsonObject(r.body()).getString("detail").contains("http.body_timeout_seconds"), r.body());
      assertTrue(took >= BODY_SECONDS * 1000 - 100 && took < BODY_SECONDS * 1000 + 1500, "after " + took + " ms");
      assertTrue(c.closedByServer());
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void http2ConnectionsAreHeaderAndIdleTimed(Dialect d) throws Exception {
    // gRPC's transport: a connection that sends only the HTTP/2 preface never makes a request.
    try (RawHttp c = new RawHttp(servers.get(d).port())) {
      long start = System.nanoTime();
      c.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
      c.socket.setSoTimeout((HEADER_SECONDS + 3) * 1000);
      assertTrue(c.closedByServer());
      assertTrue(millisSince(start) < HEADER_SECONDS * 1000 + 1500, "after " + millisSince(start) + " ms");
    }
    Vertx vertx = Vertx.vertx();
    try {
      var client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false)
          .setHttp2KeepAliveTimeout(600));
      CompletableFuture<Long> closedAfter = new CompletableFuture<>();
      long[] answeredAt = new long[1];
      int status = client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(servers.get(d).port())
              .setURI("/healthz"))
          .compose(req -> {
            req.connection().closeHandler(v -> closedAfter.complete(millisSince(answeredAt[0])));
            return req.send();
          })
          .compose(resp -> resp.body().map(b -> {
            answeredAt[0] = System.nanoTime();
            return resp.statusCode();
          }))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(200, status);
      long after = closedAfter.get(IDLE_SECONDS + 5, TimeUnit.SECONDS);
      assertTrue(after >= IDLE_SECONDS * 1000 - 200, "an HTTP/2 connection that made a request is idle-timed, not header-timed: " + after);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    assertFalse(servers.get(d).server().openConnections() > CAP);
  }
}
