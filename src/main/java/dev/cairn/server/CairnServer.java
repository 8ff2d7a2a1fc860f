package dev.cairn.server;

import dev.cairn.db.Database;
import dev.cairn.db.Databases;
import dev.cairn.db.Migrations;
import dev.cairn.server.config.ConfigTree;
import dev.cairn.server.config.ServerConfig;
import dev.cairn.server.http.BodyBudget;
import dev.cairn.server.http.ConnectionGuard;
import dev.cairn.server.http.HttpLimits;
import dev.cairn.server.http.InvalidRequests;
import dev.cairn.server.http.JsonError;
import dev.cairn.server.http.MetricLabels;
import dev.cairn.server.http.OutOfMemoryExit;
import dev.cairn.server.http.RequestGuard;
import dev.cairn.server.http.PrivateReads;
import dev.cairn.server.http.RequestLog;
import dev.cairn.server.http.Writes;
import dev.cairn.store.Store;
import dev.cairn.store.StoreConfig;
import dev.cairn.store.gc.GarbageCollector;
import dev.cairn.store.gc.GcConfig;
import dev.cairn.store.gc.GcScheduler;
import dev.cairn.users.UserService;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * A running Cairn: one HTTP port serving REST, the capabilities' routes and gRPC (h2c),
 * over one metadata database. {@link #start} fails with a one-line reason on bad
 * configuration or an unreachable database.
 */
public final class CairnServer {
  private static final Logger LOG = Logger.getLogger("cairn.server");

  private final Vertx vertx;
  private final ServerConfig config;
  private final Database db;
  private final WorkerExecutor blocking;
  private final Store store;
  private final Supplier<Future<Void>> stopGc;
  private final List<Capability> capabilities;
  private final HttpServer http;
  private final ConnectionGuard connections;
  private final BodyBudget bodies;
  private final Router router;

  private CairnServer(Vertx vertx, ServerConfig config, Database db, WorkerExecutor blocking, Store store, Supplier<Future<Void>> stopGc,
      List<Capability> capabilities, HttpServer http, ConnectionGuard connections, BodyBudget bodies, Router router) {
    this.vertx = vertx;
    this.config = config;
    this.db = db;
    this.blocking = blocking;
    this.store = store;
    this.stopGc = stopGc;
    this.capabilities = capabilities;
    this.http = http;
    this.connections = connections;
    this.bodies = bodies;
    this.router = router;
  }

  /** Said once the server runs, so that a failed start still prints exactly one line. */
  private static void warnIfBodiesCanExhaustTheHeap(HttpLimits limits) {
    long heap = Runtime.getRuntime().maxMemory();
    if (limits.maxBodyBytesInFlight() > heap / 2) {
      LOG.warning("http.max_body_bytes_in_flight (" + limits.maxBodyBytesInFlight() + " bytes) is more than half the heap ("
          + heap + " bytes, -Xmx): request bodies alone could exhaust memory");
    }
  }

  public static Future<CairnServer> start(ConfigTree tree) {
    ServerConfig config = ServerConfig.from(tree);
    StoreConfig storeConfig = StoreConfig.from(tree, config);
    HttpLimits limits = HttpLimits.from(tree, config.dataDir());
    HttpServerOptions options = httpOptions(config, limits);
    ConnectionGuard connections = new ConnectionGuard(limits, options);
    BodyBudget bodies = new BodyBudget(limits.maxBodyBytesInFlight());
    GcConfig gcConfig = GcConfig.from(tree);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    for (io.micrometer.core.instrument.config.MeterFilter f : MetricLabels.filters()) {
      registry.config().meterFilter(f);
    }
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
            .setEnabled(true)
            // Vert.x keeps backends by name, JVM-wide: without a name of its own, a second server
            // in the process (tests, embedding) would record into the first one's registry.
            .setRegistryName("cairn-" + java.util.UUID.randomUUID())
            .setJvmMetricsEnabled(true)
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
            .addLabels(Label.HTTP_ROUTE, Label.HTTP_CODE, Label.HTTP_METHOD, Label.POOL_TYPE, Label.POOL_NAME)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .withTransport(connections.transport())
        .build();
    vertx.exceptionHandler(OutOfMemoryExit::check);
    WorkerExecutor blocking = vertx.createSharedWorkerExecutor("cairn-blocking", config.blockingPoolSize());
    return resetSpool(vertx, limits)
        .compose(v -> Databases.open(vertx, config.databaseUrl(), config.sqliteFile(), config.poolSize()))
        .compose(db -> Store.open(vertx, db, storeConfig, blocking)
            .recover(e -> db.close().transform(x -> Future.failedFuture(e)))
            .compose(store -> {
              UserService users = new UserService(db);
              Writes writes = new Writes(vertx, users, bodies, limits);
              ServerContext ctx = new ServerContext(vertx, tree, config, db, users, blocking, store, writes, registry);
              Router router = Router.router(vertx);
              return startCapabilities(ctx).compose(caps -> GcScheduler.deploy(vertx, GarbageCollector.of(db, store, Capabilities.metadataSweeps(db)), gcConfig, registry)
                  .compose(stopGc -> listen(ctx, caps, registry, options, limits, router)
                      .map(http -> {
                        warnIfBodiesCanExhaustTheHeap(limits);
                        return new CairnServer(vertx, config, db, blocking, store, stopGc, caps, http, connections, bodies, router);
                      })
                      .recover(e -> stopGc.get().transform(x -> Future.failedFuture(e))))
                  .recover(e -> closeAll(caps).eventually(store::close).eventually(() -> db.close())
                      .transform(x -> Future.failedFuture(e))));
            }))
        .recover(e -> {
          // Closing Vert.x from its own event loop would complete on a terminated loop.
          new Thread(vertx::close, "cairn-abort").start();
          return Future.failedFuture(e);
        });
  }

  private static Future<List<Capability>> startCapabilities(ServerContext ctx) {
    List<Capability> started = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Function<ServerContext, Future<Capability>> factory : Capabilities.all()) {
      chain = chain.compose(v -> factory.apply(ctx).map(c -> {
        started.add(c);
        return null;
      }));
    }
    return chain.map(v -> started).recover(e -> closeAll(started).transform(x -> Future.failedFuture(e)));
  }

  /** Bodies spooled by a previous run that ended mid-upload are garbage: start empty. */
  private static Future<Void> resetSpool(Vertx vertx, HttpLimits limits) {
    String dir = limits.spoolDir().toString();
    return vertx.fileSystem().exists(dir)
        .compose(exists -> exists ? vertx.fileSystem().deleteRecursive(dir) : Future.succeededFuture())
        .compose(v -> vertx.fileSystem().mkdirs(dir))
        .recover(e -> Future.failedFuture(new IllegalStateException("data_dir: cannot prepare " + dir + ": " + e.getMessage(), e)));
  }

  private static HttpServerOptions httpOptions(ServerConfig config, HttpLimits limits) {
    return new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setHttp2ClearTextEnabled(true)
        .setCompressionSupported(false)
        .setTcpNoDelay(true)
        // No bytes either way for this long: the connection is closed (HTTP/1.1, HTTP/2, gRPC).
        .setIdleTimeout((int) limits.idleTimeout().toSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
  }

  private static Future<HttpServer> listen(ServerContext ctx, List<Capability> caps, PrometheusMeterRegistry registry,
      HttpServerOptions options, HttpLimits limits, Router router) {
    RequestGuard guard = new RequestGuard(ctx.vertx(), limits);
    router.route().handler(guard.routeHandler());
    if (ctx.server().requestLog()) {
      router.route().handler(new RequestLog());
    }
    router.get("/healthz").handler(rc -> rc.json(new JsonObject().put("status", "up")));
    router.get("/readyz").handler(rc -> ctx.db().ping()
        .compose(v -> Migrations.currentVersion(ctx.db()))
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result() == Migrations.latestVersion()) {
            rc.json(new JsonObject().put("status", "ready").put("schema", ar.result()).put("database", ctx.db().dialect().name().toLowerCase()));
          } else {
            String reason = ar.failed() ? "database unreachable: " + ar.cause().getMessage() : "schema at " + ar.result();
            rc.response().setStatusCode(503).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("status", "not ready").put("reason", reason).encode());
          }
        }));
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    // Clients send blob chunks of a few MiB (gRPC's usual 4 MiB limit); allow some headroom.
    GrpcServer grpc = GrpcServer.server(ctx.vertx(), new io.vertx.grpc.server.GrpcServerOptions().setMaxMessageSize(16L << 20));
    for (Capability c : caps) {
      c.routes(router);
      c.grpc(grpc);
    }
    router.route().last().handler(RequestGuard::notFound);
    JsonError.answerRouterErrors(router);
    java.util.Optional<PrivateReads> privateReads =
        ctx.server().privateReads() ? java.util.Optional.of(new PrivateReads(ctx.users())) : java.util.Optional.empty();
    return ctx.vertx().createHttpServer(options)
        .invalidRequestHandler(InvalidRequests::handle)
        .exceptionHandler(e -> {
          OutOfMemoryExit.check(e);
          // Resets, half-sent requests, protocol errors: the client's problem, not a server fault.
          LOG.fine(() -> "connection error: " + e);
        })
        .requestHandler(request -> {
          guard.arrived(request);
          if (isGrpc(request)) {
            // One metrics label for all gRPC calls (their paths are the client's to choose).
            request.routed("grpc");
            // On a private instance gRPC reads check their token per call (GrpcAuth), like writes.
            grpc.handle(request);
          } else if (guard.acceptsTarget(request)) {
            privateReads.ifPresentOrElse(p -> p.check(request, router::handle), () -> router.handle(request));
          }
        })
        .listen()
        .recover(e -> Future.failedFuture(new IllegalStateException(
            "http.port: cannot listen on " + ctx.server().host() + ":" + ctx.server().port() + ": " + e.getMessage(), e)));
  }

  private static boolean isGrpc(HttpServerRequest request) {
    String type = request.getHeader("Content-Type");
    return type != null && type.startsWith("application/grpc");
  }

  private static Future<Void> closeAll(List<Capability> caps) {
    Future<Void> chain = Future.succeededFuture();
    for (Capability c : caps) {
      chain = chain.eventually(c::close);
    }
    return chain;
  }

  /** The port actually bound (useful with {@code http.port: 0}). */
  public int port() {
    return http.actualPort();
  }

  public String host() {
    return config.host();
  }

  public Vertx vertx() {
    return vertx;
  }

  public Database db() {
    return db;
  }

  public Store store() {
    return store;
  }

  /** Open TCP connections on the HTTP port. */
  public int openConnections() {
    return connections.open();
  }

  /** Every HTTP route, as "METHOD path" for each method it serves (a route for all methods: "* path"). */
  public List<String> routes() {
    List<String> out = new ArrayList<>();
    for (io.vertx.ext.web.Route r : router.getRoutes()) {
      if (r.getPath() == null) {
        continue;
      }
      if (r.methods() == null || r.methods().isEmpty()) {
        out.add("* " + r.getPath());
      } else {
        r.methods().forEach(m -> out.add(m.name() + " " + r.getPath()));
      }
    }
    return out;
  }

  /** Request-body bytes held in memory right now. */
  public long bodyBytesInFlight() {
    return bodies.inUse();
  }

  /**
   * Stops accepting, lets in-flight requests finish within the configured bound, then closes
   * capabilities, the database and Vert.x. Blocking: call from a non-Vert.x thread (a
   * shutdown hook, a test), so that closing Vert.x does not complete on its own event loop.
   */
  public void close() throws Exception {
    long timeoutMs = config.shutdownTimeout().toMillis();
    http.shutdown(timeoutMs, TimeUnit.MILLISECONDS)
        .eventually(() -> closeAll(capabilities))
        .eventually(stopGc::get)
        .eventually(store::close)
        .eventually(db::close)
        .eventually(blocking::close)
        .toCompletionStage().toCompletableFuture().get(timeoutMs + 30_000, TimeUnit.MILLISECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
