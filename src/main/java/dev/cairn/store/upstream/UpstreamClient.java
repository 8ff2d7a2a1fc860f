package dev.cairn.store.upstream;

import dev.cairn.castore.chunks.RequestLimiter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * HTTP to upstream caches on Vert.x's client (never blocking an event loop). Every request has
 * the configured connect and idle timeouts, so a silent upstream fails the fetch instead of
 * holding it; at most {@code maxConcurrentFetches} requests run at once (a NAR download keeps its
 * slot until it is ingested), the rest wait in arrival order.
 */
final class UpstreamClient {
  /** A narinfo is a few lines per reference: 1 MiB holds thousands of references. */
  static final int MAX_NARINFO_BYTES = 1 << 20;

  private final Vertx vertx;
  private final HttpClientAgent http;
  private final RequestLimiter limiter;
  private final long timeoutMillis;

  UpstreamClient(Vertx vertx, UpstreamConfig config) {
    this.vertx = vertx;
    this.timeoutMillis = config.timeout().toMillis();
    this.limiter = new RequestLimiter(config.maxConcurrentFetches());
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis)),
        new PoolOptions().setHttp1MaxSize(config.maxConcurrentFetches()));
  }

  /** The narinfo's text; empty when the upstream does not have the path (404, 403, 410, as Nix reads them). */
  Future<Optional<String>> narInfo(Upstream upstream, String hashPart) {
    URI uri = upstream.resolve(hashPart + ".narinfo");
    return limited(() -> get(upstream, uri).compose(response -> {
      int status = response.statusCode();
      boolean absent = status == 404 || status == 403 || status == 410;
      if (status != 200 && !absent) {
        response.request().reset();
        return Future.failedFuture(UpstreamException.badGateway(upstream, "GET " + uri.getPath() + " answered " + status));
      }
      return bounded(upstream, uri, response, MAX_NARINFO_BYTES)
          .map(body -> absent ? Optional.<String>empty() : Optional.of(body.toString(java.nio.charset.StandardCharsets.UTF_8)));
    }));
  }

  /**
   * Streams the file at {@code relative} (a NAR URL) into {@code consume}, which gets the
   * response paused, on this context, and must read it to the end; the request slot is held
   * until the consumer's future completes, and a failed consumer resets the download.
   */
  <T> Future<T> download(Upstream upstream, String relative, Function<HttpClientResponse, Future<T>> consume) {
    URI uri = upstream.resolve(relative);
    return limited(() -> get(upstream, uri).compose(response -> {
      response.pause();
      if (response.statusCode() != 200) {
        response.request().reset();
        return Future.failedFuture(UpstreamException.badGateway(upstream, "GET " + uri.getPath() + " answered " + response.statusCode()));
      }
      Future<T> consumed;
      try {
        consumed = consume.apply(response);
      } catch (RuntimeException e) {
        consumed = Future.failedFuture(e);
      }
      return consumed.onFailure(e -> response.request().reset())
          .recover(e -> Future.failedFuture(asUpstreamFailure(upstream, "GET " + uri.getPath(), e)));
    }));
  }

  private Future<HttpClientResponse> get(Upstream upstream, URI uri) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(uri.toString())
        .setConnectTimeout(timeoutMillis).setIdleTimeout(timeoutMillis).setFollowRedirects(false);
    return http.request(options).compose(req -> req.send())
        .recover(e -> Future.failedFuture(asUpstreamFailure(upstream, "GET " + uri.getPath(), e)));
  }

  private Future<Buffer> bounded(Upstream upstream, URI uri, HttpClientResponse response, int max) {
    Promise<Buffer> body = Promise.promise();
    Buffer got = Buffer.buffer();
    response.handler(piece -> {
      if (got.length() + piece.length() > max) {
        response.request().reset();
        body.tryFail(UpstreamException.badGateway(upstream, uri.getPath() + " is larger than " + max + " bytes"));
      } else {
        got.appendBuffer(piece);
      }
    });
    response.exceptionHandler(e -> body.tryFail(asUpstreamFailure(upstream, "GET " + uri.getPath(), e)));
    response.endHandler(v -> body.tryComplete(got));
    response.resume();
    return body.future();
  }

  /**
   * Network failures as what the client is answered: a timeout is a 504, a refused, reset or
   * closed connection a 502; anything else (our own storage, while a download is ingested) stays
   * what it is.
   */
  Throwable asUpstreamFailure(Upstream upstream, String what, Throwable e) {
    if (e instanceof UpstreamException) {
      return e;
    }
    if (e instanceof TimeoutException || e instanceof io.netty.channel.ConnectTimeoutException) {
      return UpstreamException.timeout(upstream, what + " timed out after " + timeoutMillis + " ms");
    }
    if (e instanceof java.net.ConnectException || e instanceof io.vertx.core.http.HttpClosedException
        || e instanceof io.vertx.core.http.StreamResetException || e instanceof java.net.UnknownHostException
        || e instanceof javax.net.ssl.SSLException || e instanceof io.netty.channel.unix.Errors.NativeIoException) {
      return UpstreamException.badGateway(upstream, what + " failed: " + e.getMessage());
    }
    return e;
  }

  private <T> Future<T> limited(java.util.function.Supplier<Future<T>> request) {
    io.vertx.core.Context context = vertx.getOrCreateContext();
    return Future.fromCompletionStage(limiter.submit(() -> request.get().toCompletionStage().toCompletableFuture()), context);
  }

  Future<Void> close() {
    return http.close();
  }
}
