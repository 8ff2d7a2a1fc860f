package dev.cairn.server.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.Http1xOrH2CHandler;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose request headers do not arrive within {@code
 * http.header_timeout_seconds} (slowloris: headers sent a byte at a time, each byte resetting
 * the idle timer). The clock starts when the connection is accepted, and again on an HTTP/1.x
 * connection at the first byte after a response (an idle keep-alive connection is left to the
 * idle timeout). It stops when Vert.x hands over the request ({@link #requestStarted}); on
 * HTTP/2 (gRPC) streams are multiplexed, so the first request ends it for good.
 *
 * <p>It also installs {@link StrictRequestDecoder} on HTTP/1 connections, just after Vert.x
 * has told HTTP/1 from HTTP/2 and before the first byte is decoded.
 */
final class HeaderDeadline extends ChannelInboundHandlerAdapter {
  static final String NAME = "cairnHeaderDeadline";
  private static final String SWAP = "cairnStrictHttp1";

  private final long timeoutMillis;
  private final HttpServerOptions options;
  private ChannelHandlerContext ctx;
  private ScheduledFuture<?> deadline;
  private boolean armOnRead;
  private boolean multiplexed;
  private boolean firstRead = true;

  HeaderDeadline(long timeoutMillis, HttpServerOptions options) {
    this.timeoutMillis = timeoutMillis;
    this.options = options;
  }

  /** The deadline of the connection a request came on (null for connections not accepted by the guard). */
  static HeaderDeadline of(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      return base.channel().pipeline().get(HeaderDeadline.class);
    }
    return null;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (ctx.channel().isRegistered()) {
      arm();
    }
  }

  @Override
  public void channelRegistered(ChannelHandlerContext ctx) throws Exception {
    if (deadline == null) {
      arm();
    }
    super.channelRegistered(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (firstRead) {
      firstRead = false;
      installStrictDecoder(ctx);
    }
    if (armOnRead) {
      armOnRead = false;
      // Only while the connection still speaks HTTP/1 (an h2c upgrade removes the decoder).
      if (ctx.pipeline().get("httpDecoder") != null) {
        arm();
      }
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancel();
    super.channelInactive(ctx);
  }

  /** Vert.x has parsed a request's headers (called on the connection's event loop). */
  void requestStarted(boolean http2) {
    cancel();
    armOnRead = false;
    multiplexed |= http2;
  }

  /** An HTTP/1.x response ended: the next request's headers are timed from its first byte. */
  void responseEnded() {
    if (!multiplexed) {
      armOnRead = true;
    }
  }

  private void arm() {
    cancel();
    Channel ch = ctx.channel();
    deadline = ctx.executor().schedule(() -> {
      deadline = null;
      ch.close();
    }, timeoutMillis, TimeUnit.MILLISECONDS);
  }

  private void cancel() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }

  /**
   * Vert.x adds its HTTP/1 decoder when the first bytes arrive and decodes them in the same
   * call; a handler placed right after its protocol detector sees those bytes after the
   * decoder exists and before it runs, and swaps it.
   */
  private void installStrictDecoder(ChannelHandlerContext ctx) {
    var pipeline = ctx.pipeline();
    var detector = pipeline.context(Http1xOrH2CHandler.class);
    if (detector != null) {
      pipeline.addAfter(detector.name(), SWAP, new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext c, Object msg) {
          StrictRequestDecoder.install(c.pipeline(), options);
          c.pipeline().remove(this);
          c.fireChannelRead(msg);
        }
      });
    } else {
      StrictRequestDecoder.install(pipeline, options);
    }
  }
}
