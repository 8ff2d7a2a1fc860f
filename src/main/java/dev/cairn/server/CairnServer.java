package dev.cairn.server;

import dev.cairn.db.Database;
import dev.cairn.db.Databases;
import dev.cairn.db.Migrations;
import dev.cairn.server.config.ConfigTree;
import dev.cairn.server.config.ServerConfig;
import dev.cairn.server.http.RequestLog;
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
import java.util.logging.Level;
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

  private CairnServer(Vertx vertx, ServerConfig config, Database db, WorkerExecutor blocking, Store store, Supplier<Future<Void>> stopGc,
                      List<Capability> capabilities, HttpServer http) {
    this.vertx = vertx;
    this.config = config;
    this.db = db;
    this.blocking = blocking;
    this.store = store;
    this.stopGc = stopGc;
    this.capabilities = capabilities;
    this.http = http;
  }

  public static Future<CairnServer> start(ConfigTree tree) {
    ServerConfig config = ServerConfig.from(tree);
    StoreConfig storeConfig = StoreConfig.from(tree, config);
    GcConfig gcConfig = GcConfig.from(tree);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
            .setEnabled(true)
            .setJvmMetricsEnabled(true)
            .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
            .addLabels(Label.HTTP_ROUTE, Label.HTTP_CODE, Label.HTTP_METHOD, Label.POOL_TYPE, Label.POOL_NAME)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    WorkerExecutor blocking = vertx.createSharedWorkerExecutor("cairn-blocking", config.blockingPoolSize());
    return Databases.open(vertx, config.databaseUrl(), config.sqliteFile(), config.poolSize())
        .compose(db -> Store.open(vertx, db, storeConfig, blocking)
            .recover(e -> db.close().transform(x -> Future.failedFuture(e)))
            .compose(store -> {
              UserService users = new UserService(db);
              ServerContext ctx = new ServerContext(vertx, tree, config, db, users, blocking, store);
              return startCapabilities(ctx).compose(caps -> GcScheduler.deploy(vertx, GarbageCollector.of(db, store), gcConfig, registry)
                  .compose(stopGc -> listen(ctx, caps, registry)
                      .map(http -> new CairnServer(vertx, config, db, blocking, store, stopGc, caps, http))
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

  private static Future<HttpServer> listen(ServerContext ctx, List<Capability> caps, PrometheusMeterRegistry registry) {
    Router router = Router.router(ctx.vertx());
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
    router.route().last().handler(rc -> rc.response().setStatusCode(404).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("detail", "Not Found").encode()));
    router.errorHandler(500, rc -> {
      LOG.log(Level.SEVERE, "unhandled error on " + rc.request().method() + " " + rc.request().path(), rc.failure());
      if (!rc.response().headWritten()) {
        rc.response().setStatusCode(500).putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("detail", "internal error").encode());
      } else {
        rc.response().reset();
      }
    });
    HttpServerOptions options = new HttpServerOptions()
        .setHost(ctx.server().host())
        .setPort(ctx.server().port())
        .setHttp2ClearTextEnabled(true)
        .setCompressionSupported(false)
        .setTcpNoDelay(true);
    return ctx.vertx().createHttpServer(options)
        .requestHandler(request -> {
          if (isGrpc(request)) {
            grpc.handle(request);
          } else {
            router.handle(request);
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
