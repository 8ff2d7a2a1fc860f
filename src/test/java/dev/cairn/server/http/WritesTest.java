package dev.cairn.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.server.TestServer;
import dev.cairn.users.UserName;
import dev.cairn.users.UserService;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every write route authenticates before it reads a body: an anonymous client declaring a
 * 250 MB body is answered 401 before it has sent a byte of it (the attack that drove a 1 GB
 * heap into OutOfMemoryError with six such uploads).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WritesTest {
  private static final String DRV = "lmnpqrsvwxlmnpqrsvwxlmnpqrsvwxlm-hello";
  /** Every route that accepts a write, at each prefix it is served under. */
  static final List<String> WRITE_ROUTES = List.of(
      "POST /attestation/" + DRV, "POST /api/attestation/" + DRV,
      "PUT /reports/x", "PUT /api/reports/x",
      "POST /link_patterns?pattern=a&link=b", "POST /api/link_patterns?pattern=a&link=b",
      "DELETE /link_patterns?pattern=a", "DELETE /api/link_patterns?pattern=a",
      "POST /api/v1/attestations", "POST /api/v1/keys/challenge", "POST /api/v1/keys");

  private final Map<Dialect, TestServer> servers = new EnumMap<>(Dialect.class);
  private final Map<Dialect, String> tokens = new EnumMap<>(Dialect.class);

  @BeforeAll
  void start() throws Exception {
    for (Dialect d : Dialect.values()) {
      TestServer s = TestServer.start(d);
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

  private static String head(String route, String extraHeaders, long length) {
    return route + " HTTP/1.1\r\nHost: cairn\r\nContent-Type: application/json\r\n" + extraHeaders + "Content-Length: " + length + "\r\n\r\n";
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void anonymousWriteIsRefusedBeforeItsBodyIsSent(Dialect d) throws Exception {
    for (String route : WRITE_ROUTES) {
      for (String auth : new String[] {"", "Authorization: Bearer not-a-token\r\n", "Authorization: Basic eDpub3BlCg==\r\n"}) {
        try (RawHttp c = new RawHttp(servers.get(d).port())) {
          // Headers only: a server that read the body first would wait for 250 MB that never come.
          RawHttp.Response r = c.send(head(route, auth, 250_000_000L)).read();
          assertEquals(401, r.status(), route + " " + auth);
          assertEquals("User not found", new JsonObject(r.body()).getString("detail"), route);
          assertTrue(c.closedByServer(), "the connection with an unread body is closed: " + route);
        }
      }
    }
    assertEquals(0, servers.get(d).server().bodyBytesInFlight());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void everyWriteRouteTheServerHasRefusesAnAnonymousClientBeforeItsBody(Dialect d) throws Exception {
    java.util.Set<String> writeRoutes = new java.util.HashSet<>();
    for (String route : servers.get(d).server().routes()) {
      String method = route.substring(0, route.indexOf(' '));
      if (java.util.Set.of("POST", "PUT", "PATCH", "DELETE").contains(method)) {
        writeRoutes.add(route);
        // New write routes are covered without being listed: path parameters filled in.
        try (RawHttp c = new RawHttp(servers.get(d).port())) {
          String path = route.substring(route.indexOf(' ') + 1).replaceAll(":[a-z_]+", "x");
          assertEquals(401, c.send(head(method + " " + path, "", 250_000_000L)).read().status(), route);
        }
      }
    }
    for (String listed : WRITE_ROUTES) {
      String route = listed.replace(DRV, ":drv").replace("/x", "/:name").replaceAll("\\?.*", "");
      assertTrue(writeRoutes.contains(route), "the server has " + route + ": " + writeRoutes);
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void continueIsSentOnlyToAnAuthenticatedWriter(Dialect d) throws Exception {
    String body = "[{\"output_digest\":\"lmnpqrsvwxlmnpqrsvwxlmnpqrsvwxl0\"}]";
    try (RawHttp c = new RawHttp(servers.get(d).port())) {
      RawHttp.Response r = c.send(head("POST /attestation/" + DRV, "Expect: 100-continue\r\n", body.length())).read();
      assertEquals(401, r.status(), "no 100 Continue for an anonymous client: it never sends its body");
    }
    try (RawHttp c = new RawHttp(servers.get(d).port())) {
      String auth = "Authorization: Bearer " + tokens.get(d) + "\r\nExpect: 100-continue\r\n";
      assertEquals(100, c.send(head("POST /attestation/" + DRV, auth, body.length())).read().status());
      RawHttp.Response r = c.send(body).read();
      assertEquals(422, r.status(), "the body was read and parsed after authentication: " + r.body());
      assertTrue(new JsonObject(r.body()).getString("detail").contains("output_name"), r.body());
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void authenticatedWriteIsAccepted(Dialect d) throws Exception {
    String out = "lmnpqrsvwxlmnpqrsvwxlmnpqrsvwxl1";
    String body = "[{\"output_digest\":\"" + out + "\",\"output_name\":\"hello\",\"output_hash\":"
        + "\"sha256:094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic\",\"output_sig\":\"\"}]";
    try (RawHttp c = new RawHttp(servers.get(d).port())) {
      RawHttp.Response r = c.send(head("POST /attestation/" + DRV, "Authorization: Bearer " + tokens.get(d) + "\r\n", body.length()) + body).read();
      assertEquals(200, r.status(), r.body());
      assertNull(r.header("Connection"), "a fully read request keeps its connection");
      RawHttp.Response again = c.send("GET /attestations/by-output/" + out + "-hello HTTP/1.1\r\nHost: cairn\r\n\r\n").read();
      assertTrue(again.body().contains(out), again.body());
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aRoleTooLowIsRefusedWith403BeforeTheBodyAndStreamedRoutesGetTheBodyUnread(Dialect d) throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try (TestDatabase db = TestDatabase.create(vertx, d)) {
      UserService users = new UserService(db.db());
      String writer = TestDatabase.await(users.create(new UserName("alice"), dev.cairn.users.Role.WRITER, Optional.empty())).token();
      String reader = TestDatabase.await(users.create(new UserName("bob"), dev.cairn.users.Role.READER, Optional.empty())).token();
      java.time.Duration minute = java.time.Duration.ofMinutes(1);
      HttpLimits limits = new HttpLimits(100, minute, minute, minute, 1 << 20, 1 << 20, db.dataDir().resolve("spool"));
      Writes writes = new Writes(vertx, users, new BodyBudget(1 << 20), limits);
      io.vertx.ext.web.Router router = io.vertx.ext.web.Router.router(vertx);
      router.post("/buffered").handler(writes.body(1024, dev.cairn.users.Role.WRITER))
          .handler(rc -> rc.response().end(Writes.user(rc).name() + " sent " + RawBody.of(rc).length() + " bytes"));
      router.post("/streamed").handler(writes.streamed(dev.cairn.users.Role.WRITER)).handler(rc -> {
        // As StreamedNarUpload does: its own data handler, then resume.
        long[] n = {0};
        rc.request().handler(b -> n[0] += b.length()).endHandler(v -> rc.response().end(Writes.user(rc).name() + " streamed " + n[0]));
        rc.request().resume();
      });
      int port = TestDatabase.await(vertx.createHttpServer().requestHandler(router).listen(0)).actualPort();
      for (String path : new String[] {"/buffered", "/streamed"}) {
        try (RawHttp c = new RawHttp(port)) {
          RawHttp.Response r = c.send(head("POST " + path, "Authorization: Bearer " + reader + "\r\n", 250_000_000L)).read();
          assertEquals(403, r.status(), path);
          assertEquals("role: writer required (bob is reader)", new JsonObject(r.body()).getString("detail"));
          assertTrue(c.closedByServer());
        }
        try (RawHttp c = new RawHttp(port)) {
          assertEquals(401, c.send(head("POST " + path, "", 250_000_000L)).read().status(), path);
        }
      }
      try (RawHttp c = new RawHttp(port)) {
        RawHttp.Response r = c.send(head("POST /buffered", "Authorization: Bearer " + writer + "\r\n", 5) + "hello").read();
        assertEquals("alice sent 5 bytes", r.body());
      }
      try (RawHttp c = new RawHttp(port)) {
        RawHttp.Response r = c.send(head("POST /streamed", "Authorization: Bearer " + writer + "\r\n", 300_000) + "x".repeat(300_000)).read();
        assertEquals("alice streamed 300000", r.body());
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
