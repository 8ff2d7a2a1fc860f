package dev.cairn.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ServerTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HttpResponse<String> get(TestServer s, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void answersHealthReadinessAndMetrics(Dialect d) throws Exception {
    try (TestServer s = TestServer.start(d)) {
      assertEquals(200, get(s, "/healthz").statusCode());
      HttpResponse<String> ready = get(s, "/readyz");
      assertEquals(200, ready.statusCode());
      assertTrue(ready.body().contains(d.name().toLowerCase()), ready.body());
      assertEquals(404, get(s, "/nope").statusCode());
      String metrics = get(s, "/metrics").body();
      assertTrue(metrics.contains("vertx_http_server_requests_total"), "request counts");
      assertTrue(metrics.contains("route=\"/healthz\""), "labelled by route");
      assertTrue(metrics.contains("code=\"404\""), "labelled by status");
      assertTrue(metrics.contains("vertx_http_server_response_time_seconds"), "latency");
      assertTrue(metrics.contains("jvm_memory_used_bytes"), "JVM memory");
      assertTrue(metrics.contains("vertx_pool_"), "pool usage");
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void unknownRouteAnswersJsonDetail(Dialect d) throws Exception {
    try (TestServer s = TestServer.start(d)) {
      HttpResponse<String> r = get(s, "/definitely/not/here");
      assertEquals(404, r.statusCode());
      assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    }
  }
}
