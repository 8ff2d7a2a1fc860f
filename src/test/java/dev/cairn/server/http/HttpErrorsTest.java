package dev.cairn.server.http;

import dev.cairn.server.LogCapture;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.attest.KeyRegistry;
import dev.cairn.attest.LimitExceededException;
import dev.cairn.castore.B3Digest;
import dev.cairn.castore.BlobCorruptedException;
import dev.cairn.castore.chunked.ChunkCollectedException;
import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.nix.StorePath;
import dev.cairn.validation.ValidationException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one map from domain errors to HTTP answers, over a real Vert.x server and the JDK's HTTP
 * client: each route answers a service future failed with one kind of error, as attest's
 * handlers do. A client error only when a parser or rule says so; a bug — an
 * IllegalArgumentException included — is a 500 with a fixed detail and a SEVERE log line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpErrorsTest {
  private static final String SECRET_PATH = "/var/lib/cairn/blobs/chunks/ab/abcdef";
  private final Map<String, Supplier<Throwable>> failures = Map.of(
      "validation", () -> new ValidationException("entries[2].output_sig", "required string"),
      "parser", () -> tryParse("/nix/store/not-a-path"),
      "bug", () -> new IllegalArgumentException("no column nmae in row, reading " + SECRET_PATH),
      "limit", () -> new LimitExceededException(413, "entries: more than 10 (attest.max_batch_entries)"),
      "conflict", () -> new KeyRegistry.KeyConflictException("public_key: registered by another user"),
      "too-large", () -> new BodyTooLargeException(1024),
      "corrupt", () -> new BlobCorruptedException("chunk b3:AAAA under " + SECRET_PATH + " has a bad header"),
      "collected", () -> new ChunkCollectedException(B3Digest.of(new byte[32])));
  private LogCapture logged;
  private final HttpClient client = HttpClient.newHttpClient();
  private Vertx vertx;
  private HttpServer http;
  private Future<?> typo = Future.succeededFuture();

  @BeforeAll
  void start() throws Exception {
    logged = LogCapture.of("cairn.server");
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.get("/fail/:kind").handler(rc -> Future.failedFuture(failures.get(rc.pathParam("kind")).get())
        .onFailure(e -> HttpErrors.answer(rc, e)));
    router.get("/typo").handler(rc -> typo.onSuccess(v -> rc.response().end()).onFailure(e -> HttpErrors.answer(rc, e)));
    http = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
  }

  @AfterAll
  void stop() throws Exception {
    logged.close();
    await(http.close());
    await(vertx.close());
  }

  private static Throwable tryParse(String text) {
    try {
      StorePath.parse(text);
      throw new AssertionError("parsed " + text);
    } catch (ValidationException e) {
      return e;
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.actualPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String detail(HttpResponse<String> r) {
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    return new JsonObject(r.body()).getString("detail");
  }

  private boolean loggedSevere(String text) {
    return logged.any(r -> r.getLevel() == Level.SEVERE && r.getThrown() != null
        && r.getThrown().getMessage().contains(text));
  }

  @Test
  void aValidationErrorIs422NamingTheFieldAndTheRule() throws Exception {
    HttpResponse<String> r = get("/fail/validation");
    assertEquals(422, r.statusCode());
    assertEquals("entries[2].output_sig: required string", detail(r));
  }

  @Test
  void aNixParserRefusingInputIs422() throws Exception {
    HttpResponse<String> r = get("/fail/parser");
    assertEquals(422, r.statusCode());
    assertTrue(detail(r).startsWith("store path basename \"not-a-path\""), r.body());
  }

  @Test
  void anIllegalArgumentExceptionIsABugA500WithAFixedDetailAndALogLine() throws Exception {
    HttpResponse<String> r = get("/fail/bug");
    assertEquals(500, r.statusCode());
    assertEquals("internal error", detail(r));
    assertFalse(r.body().contains(SECRET_PATH) || r.body().contains("nmae"), r.body());
    assertTrue(loggedSevere("no column nmae"), "the server logged the cause");
  }

  @Test
  void errorsThatKnowTheirStatusKeepIt() throws Exception {
    HttpResponse<String> limit = get("/fail/limit");
    assertEquals(413, limit.statusCode());
    assertEquals("entries: more than 10 (attest.max_batch_entries)", detail(limit));
    HttpResponse<String> conflict = get("/fail/conflict");
    assertEquals(409, conflict.statusCode());
    assertEquals("public_key: registered by another user", detail(conflict));
    HttpResponse<String> tooLarge = get("/fail/too-large");
    assertEquals(413, tooLarge.statusCode());
    assertEquals("body: larger than the limit of 1024 bytes", detail(tooLarge));
  }

  @Test
  void corruptedStoredDataIsA500WithAFixedDetailNamingNoPath() throws Exception {
    HttpResponse<String> r = get("/fail/corrupt");
    assertEquals(500, r.statusCode());
    assertEquals("stored data is corrupted", detail(r));
    assertFalse(r.body().contains(SECRET_PATH), r.body());
    assertTrue(loggedSevere("chunk b3:AAAA"), "the server logged the corruption");
  }

  @Test
  void aChunkTakenByGarbageCollectionIs503WithRetryAfter() throws Exception {
    HttpResponse<String> r = get("/fail/collected");
    assertEquals(503, r.statusCode());
    assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
    assertFalse(detail(r).isEmpty());
  }

  /** A row mapper asking for a column the query does not return — a bug, not the client's doing. */
  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aColumnNameTypoInARowMapperIsA500NotA422(Dialect dialect) throws Exception {
    try (TestDatabase t = TestDatabase.create(vertx, dialect)) {
      typo = t.db().query("SELECT 1 AS name").map(rows -> rows.get(0).getLong("naem"));
      await(typo.otherwiseEmpty());
      HttpResponse<String> r = get("/typo");
      assertEquals(500, r.statusCode());
      assertEquals("internal error", detail(r));
      assertTrue(loggedSevere("no column naem"), "the server logged the cause");
    }
  }
}
