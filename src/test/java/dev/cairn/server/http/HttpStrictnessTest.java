package dev.cairn.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.server.TestServer;
import dev.cairn.users.UserName;
import dev.cairn.users.UserService;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What a hostile client gets for malformed HTTP: a JSON 4xx, a closed connection where needed, no stack trace, bounded metrics. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpStrictnessTest {
  private final Map<Dialect, TestServer> servers = new EnumMap<>(Dialect.class);
  private final Map<Dialect, String> tokens = new EnumMap<>(Dialect.class);
  private final List<LogRecord> logged = Collections.synchronizedList(new ArrayList<>());
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      logged.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeAll
  void start() throws Exception {
    Logger.getLogger("").addHandler(capture);
    for (Dialect d : Dialect.values()) {
      TestServer s = TestServer.start(d, Map.of("CAIRN_HTTP_REQUEST_LOG", "true"));
      servers.put(d, s);
      tokens.put(d, TestDatabase.await(new UserService(s.server().db()).create(new UserName("writer"), Optional.empty())).token());
    }
  }

  @AfterAll
  void stop() throws Exception {
    Logger.getLogger("").removeHandler(capture);
    for (TestServer s : servers.values()) {
      s.close();
    }
  }

  private RawHttp.Response once(Dialect d, String request) throws Exception {
    try (RawHttp c = new RawHttp(servers.get(d).port())) {
      return c.send(request).read();
    }
  }

  private static String detail(RawHttp.Response r) {
    assertEquals("application/json", r.header("Content-Type"), r.head());
    return new JsonObject(r.body()).getString("detail");
  }

  private List<LogRecord> severe() {
    synchronized (logged) {
      return logged.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
          .filter(r -> !r.getLoggerName().startsWith("io.micrometer")).toList();
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void undecodableRequestsGetJson400414And431AndAClosedConnection(Dialect d) throws Exception {
    String[][] cases = {
        {"HELLO\r\n\r\n", "400", "request: not valid HTTP"},
        {"GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n", "414", "request line:"},
        {"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n", "431", "headers:"},
        {"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", "400", "request target: % must be followed by two hexadecimal digits"},
        {"GET /attestations/by-output/%zz-x HTTP/1.1\r\nHost: x\r\n\r\n", "400", "request target: %"},
        {"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", "400", "request target: must be a path starting with /"},
    };
    int before = severe().size();
    for (String[] c : cases) {
      try (RawHttp raw = new RawHttp(servers.get(d).port())) {
        RawHttp.Response r = raw.send(c[0]).read();
        assertEquals(Integer.parseInt(c[1]), r.status(), c[0].substring(0, Math.min(40, c[0].length())));
        assertTrue(detail(r).startsWith(c[2]), r.body());
        assertTrue(raw.closedByServer(), c[1]);
      }
    }
    assertEquals(before, severe().size(), "no warning or stack trace logged for a client's malformed request: " + severe());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void contentLengthWithTransferEncodingIsRefusedAndTheConnectionClosed(Dialect d) throws Exception {
    // A proxy trusting Content-Length would forward "0\r\n\r\nGET /smuggled" as the body; the
    // server must not read it as a second request.
    String smuggle = "POST /api/v1/attestations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + tokens.get(d)
        + "\r\nContent-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz?smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
    for (String firstOnConnection : new String[] {"", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"}) {
      try (RawHttp c = new RawHttp(servers.get(d).port())) {
        if (!firstOnConnection.isEmpty()) {
          assertEquals(200, c.send(firstOnConnection).read().status(), "a kept-alive connection");
        }
        RawHttp.Response r = c.send(smuggle).read();
        assertEquals(400, r.status());
        assertEquals("Transfer-Encoding: request has both Content-Length and Transfer-Encoding", detail(r));
        assertTrue(c.closedByServer(), "nothing after the refused request is read as a request");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void headOnGetRoutesAnswersLikeGetWithoutABody(Dialect d) throws Exception {
    for (String path : new String[] {"/healthz", "/readyz", "/metrics", "/derivations/", "/api/derivations?limit=5", "/reports",
        "/api/v1/reports/none", "/attestations/by-output/lmnpqrsvwxlmnpqrsvwxlmnpqrsvwxlm-x", "/nothing/here"}) {
      try (RawHttp c = new RawHttp(servers.get(d).port())) {
        RawHttp.Response get = c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").read();
        RawHttp.Response head = c.send("HEAD " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").read(true);
        assertEquals(get.status(), head.status(), path);
        assertEquals(get.header("Content-Type"), head.header("Content-Type"), path);
        // No body came: the next request on the connection is answered in order.
        assertEquals(200, c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").read().status(), path);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void abortedUploadIsLoggedAs499(Dialect d) throws Exception {
    String marker = "lmnpqrsvwxlmnpqrsvwxlmnpqrsvwx" + (d == Dialect.SQLITE ? "ll" : "lm") + "-aborted";
    try (RawHttp c = new RawHttp(servers.get(d).port())) {
      c.send("POST /attestation/" + marker + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + tokens.get(d)
          + "\r\nContent-Length: 1000\r\n\r\n[{\"output_");
      Thread.sleep(200);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String line = null;
    while (line == null && System.nanoTime() < deadline) {
      synchronized (logged) {
        line = logged.stream().map(LogRecord::getMessage).filter(m -> m != null && m.contains(marker)).findFirst().orElse(null);
      }
      Thread.sleep(20);
    }
    assertTrue(line != null && line.contains("status=499 aborted"), "logged: " + line);
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void metricsStayBoundedUnderRandomMethodsPathsAndStatuses(Dialect d) throws Exception {
    Random random = new Random(8);
    try (RawHttp c = new RawHttp(servers.get(d).port())) {
      for (int i = 0; i < 3000; i++) {
        StringBuilder method = new StringBuilder();
        for (int k = 0; k < 8; k++) {
          method.append((char) ('A' + random.nextInt(26)));
        }
        RawHttp.Response r = c.send(method + " /random/" + random.nextInt(1_000_000) + " HTTP/1.1\r\nHost: x\r\n\r\n").read();
        assertEquals(404, r.status());
      }
    }
    String metrics = once(d, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").body();
    long lines = metrics.lines().count();
    assertTrue(lines < 2000, "metrics lines: " + lines);
    assertTrue(metrics.contains("method=\"OTHER\""), "unknown methods share one label");
    assertTrue(metrics.contains("route=\"unmatched\""), "unmatched paths share one label");
    assertFalse(metrics.contains("/random/"), "no path becomes a label");
    long before = lines;
    try (RawHttp c = new RawHttp(servers.get(d).port())) {
      for (int i = 0; i < 300; i++) {
        c.send("Q" + i + " /random/" + i + " HTTP/1.1\r\nHost: x\r\n\r\n").read();
      }
    }
    long after = once(d, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").body().lines().count();
    assertTrue(after - before < 20, "300 more random methods add no series: " + before + " -> " + after);
  }
}
