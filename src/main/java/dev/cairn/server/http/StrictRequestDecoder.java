package dev.cairn.server.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;

/**
 * Vert.x's HTTP/1 request decoder, except that a request carrying both Content-Length and
 * Transfer-Encoding is invalid (400, connection closed) instead of being read as chunked:
 * a proxy in front that trusts Content-Length would see a different request boundary and a
 * second request could be smuggled past it (RFC 9112 §6.1 allows a server to refuse).
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {
  static final String CONFLICT = "request has both Content-Length and Transfer-Encoding";

  private StrictRequestDecoder(HttpServerOptions options) {
    super(options);
  }

  static void install(ChannelPipeline pipeline, HttpServerOptions options) {
    ChannelHandler current = pipeline.get("httpDecoder");
    if (current != null && !(current instanceof StrictRequestDecoder)) {
      pipeline.replace("httpDecoder", "httpDecoder", new StrictRequestDecoder(options));
    }
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    // Netty turns this into a failed decoder result: Vert.x's invalid-request handler answers.
    throw new IllegalArgumentException(CONFLICT);
  }
}
