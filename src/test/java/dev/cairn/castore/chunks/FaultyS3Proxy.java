package dev.cairn.castore.chunks;

import static dev.cairn.db.TestDatabase.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP proxy in front of the S3 test server that can answer the first attempt of each
 * request with an error, and records how many requests were in flight at once: the way to
 * watch a client's retries and its concurrency bound from the outside. Requests are forwarded
 * byte for byte with their headers (the SigV4 signature covers Host, which is kept).
 */
final class FaultyS3Proxy implements AutoCloseable {
  private final HttpServer server;
  private final HttpClient client;
  private final Set<String> failedOnce = ConcurrentHashMap.newKeySet();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicInteger failures = new AtomicInteger();
  private volatile int failStatus;
  private volatile String failCode;
  private volatile String failMethod;

  private FaultyS3Proxy(HttpServer server, HttpClient client) {
    this.server = server;
    this.client = client;
  }

  static FaultyS3Proxy start(Vertx vertx, URI target) throws Exception {
    HttpClient client = vertx.createHttpClient(
        new HttpClientOptions().setDefaultHost(target.getHost()).setDefaultPort(target.getPort()),
        new PoolOptions().setHttp1MaxSize(64));
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHandle100ContinueAutomatically(true));
    FaultyS3Proxy proxy = new FaultyS3Proxy(server, client);
    server.requestHandler(proxy::handle);
    await(server.listen(0, "127.0.0.1"));
    return proxy;
  }

  /** From now on the first attempt of each {@code method} request for a path gets {@code status}. */
  void failFirstAttempts(String method, int status, String code) {
    failMethod = method;
    failStatus = status;
    failCode = code;
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.actualPort());
  }

  int maxInFlight() {
    return maxInFlight.get();
  }

  int failures() {
    return failures.get();
  }

  private void handle(HttpServerRequest request) {
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    request.body().compose(body -> {
      String method = request.method().name();
      if (method.equals(failMethod) && failedOnce.add(method + " " + request.uri())) {
        failures.incrementAndGet();
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + failCode
            + "</Code><Message>injected by the test proxy</Message></Error>";
        return request.response().setStatusCode(failStatus).putHeader("Content-Type", "application/xml").end(xml);
      }
      RequestOptions options = new RequestOptions().setMethod(request.method()).setURI(request.uri());
      // The 100-continue exchange happened with us already.
      request.headers().forEach(h -> {
        if (!h.getKey().equalsIgnoreCase("expect")) {
          options.addHeader(h.getKey(), h.getValue());
        }
      });
      return client.request(options)
          .compose(out -> out.send(body))
          .compose(in -> in.body().compose(responseBody -> {
            request.response().setStatusCode(in.statusCode());
            in.headers().forEach(h -> {
              if (!h.getKey().equalsIgnoreCase("transfer-encoding") && !h.getKey().equalsIgnoreCase("connection")) {
                request.response().headers().add(h.getKey(), h.getValue());
              }
            });
            return request.response().end(responseBody);
          }));
    }).onComplete(r -> {
      inFlight.decrementAndGet();
      if (r.failed() && !request.response().ended()) {
        request.response().setStatusCode(502).end(Buffer.buffer(String.valueOf(r.cause())));
      }
    });
  }

  @Override
  public void close() throws Exception {
    await(Future.all(server.close(), client.close()));
  }
}
