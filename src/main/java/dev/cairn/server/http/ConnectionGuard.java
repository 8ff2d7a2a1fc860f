package dev.cairn.server.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.impl.transports.NioTransport;
import io.vertx.core.impl.transports.TransportInternal;
import io.vertx.core.transport.Transport;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Guards the listening socket: at most {@code http.max_connections} open TCP connections
 * (one more is closed as soon as it is accepted, before it costs a buffer or a parser), and
 * on each accepted connection a {@link HeaderDeadline} and the strict HTTP/1 decoder.
 *
 * <p>Vert.x 5 has no connection cap and sees a connection only once its first bytes tell
 * HTTP/1 from HTTP/2; silent connections exhausted file descriptors. So the cap sits in
 * Netty, in front of Vert.x: the NIO transport is Vert.x's own with a server channel whose
 * pipeline starts with this handler (Netty's usual place to limit accepted children).
 * This, {@link HeaderDeadline} and {@link StrictRequestDecoder} use Vert.x internals
 * ({@code TransportInternal}, {@code NioTransport}, {@code ConnectionBase}, the HTTP/1 decoder
 * and its pipeline names) of the pinned Vert.x 5.0.x; ConnectionLimitsTest and
 * HttpStrictnessTest fail if an upgrade changes them.
 */
@ChannelHandler.Sharable
public final class ConnectionGuard extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = Logger.getLogger("cairn.http");
  private static final long LOG_EVERY_NANOS = 10_000_000_000L;

  private final int maxConnections;
  private final long headerTimeoutMillis;
  private final HttpServerOptions options;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

  public ConnectionGuard(HttpLimits limits, HttpServerOptions options) {
    this.maxConnections = limits.maxConnections();
    this.headerTimeoutMillis = limits.headerTimeout().toMillis();
    this.options = options;
  }

  /** A Vert.x transport (NIO) whose server sockets are guarded by this. */
  public Transport transport() {
    ConnectionGuard guard = this;
    return new TransportInternal("nio", true, null, new NioTransport() {
      @Override
      public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
        if (domainSocket) {
          return super.serverChannelFactory(true);
        }
        return () -> {
          NioServerSocketChannel ch = new NioServerSocketChannel();
          // Before ServerBootstrap's acceptor (added at registration), so it sees each child first.
          ch.pipeline().addLast("cairnConnectionGuard", guard);
          return ch;
        };
      }
    });
  }

  /** Open TCP connections now. */
  public int open() {
    return open.get();
  }

  /** Connections closed at accept because the cap was reached, since start. */
  public long refused() {
    return refused.get();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel child = (Channel) msg;
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      long n = refused.incrementAndGet();
      child.unsafe().closeForcibly();
      long now = System.nanoTime();
      long last = lastLog.get();
      if (now - last >= LOG_EVERY_NANOS && lastLog.compareAndSet(last, now)) {
        LOG.warning("http.max_connections (" + maxConnections + ") reached: closing new connections (" + n + " so far)");
      }
      return;
    }
    child.closeFuture().addListener(f -> open.decrementAndGet());
    child.pipeline().addFirst(HeaderDeadline.NAME, new HeaderDeadline(headerTimeoutMillis, options));
    ctx.fireChannelRead(child);
  }
}
