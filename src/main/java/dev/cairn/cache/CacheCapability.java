package dev.cairn.cache;

import dev.cairn.castore.NarLayout;
import dev.cairn.server.http.ByteRange;
import dev.cairn.nix.NarInfo;
import dev.cairn.nix.SecretKey;
import dev.cairn.nix.StorePath;
import dev.cairn.server.Capability;
import dev.cairn.server.ServerContext;
import dev.cairn.server.http.HttpErrors;
import dev.cairn.server.http.JsonError;
import dev.cairn.server.http.Writes;
import dev.cairn.users.Role;
import dev.cairn.store.PathInfo;
import dev.cairn.store.Store;
import dev.cairn.store.StorePathDigest;
import dev.cairn.store.gc.GcConfig;
import dev.cairn.validation.ValidationException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The read side of the Nix HTTP binary cache protocol (WIRE.md §2): {@code /nix-cache-info},
 * narinfos rendered from stored PathInfos and signed with this cache's keys, and NARs rendered
 * from castore with Range support. Unknown paths are 404, which Nix takes as "not here".
 */
public final class CacheCapability implements Capability {
  private static final Logger LOG = Logger.getLogger("cairn.cache");
  private static final String NARINFO_SUFFIX = ".narinfo";
  private static final String LISTING_SUFFIX = ".ls";
  /** A narinfo is a few lines per reference: 1 MiB holds thousands of references. */
  private static final long MAX_NARINFO_BYTES = 1 << 20;

  private final Store store;
  private final CacheConfig config;
  private final List<SecretKey> keys;
  private final NarResponses nars;
  private final CacheUploads uploads;
  private final Writes writes;
  private final PullThrough pullThrough;
  private final WorkerExecutor blocking;
  private final BuildLogRoutes logs;
  private final CacheFrontPage frontPage;
  private final NarInfoCache narInfos;
  private final CompleteTrees completeTrees = new CompleteTrees();

  private CacheCapability(ServerContext ctx, CacheConfig config, List<SecretKey> keys, long stallMillis) {
    Store store = ctx.store();
    this.store = store;
    this.writes = ctx.writes();
    this.pullThrough = new PullThrough(store, ctx.users());
    this.uploads = new CacheUploads(store, new PendingNars(ctx.db(), GcConfig.from(ctx.config()).grace().dividedBy(2)), config.maxNarBytes());
    this.blocking = ctx.blocking();
    this.logs = new BuildLogRoutes(new BuildLogs(ctx.db(), store.blobs()), store.blobs());
    this.config = config;
    this.keys = List.copyOf(keys);
    this.frontPage = new CacheFrontPage(ctx.db(), keys);
    this.nars = new NarResponses(store.renderer(), store.narPool(), stallMillis);
    this.narInfos = NarInfoCache.of(config);
    store.onPathInfoChange(narInfos::invalidate);
  }

  public static Future<Capability> create(ServerContext ctx) {
    CacheConfig config = CacheConfig.from(ctx.config());
    long stallMillis = Math.max(1, ctx.config().integer("http.idle_timeout_seconds", 0, Integer.MAX_VALUE)) * 1000L;
    return ctx.blocking().executeBlocking(() -> SigningKeys.load(config, ctx.server().dataDir()), false).map(keys -> {
      keys.forEach(k -> LOG.info("binary cache signs with public key " + k.toPublicKey()));
      return new CacheCapability(ctx, config, keys, stallMillis);
    });
  }

  @Override
  public void routes(Router router) {
    router.get("/").handler(frontPage::handle);
    router.get("/nix-cache-info").handler(this::cacheInfo);
    router.get("/api/v1/cache/public-keys").handler(this::publicKeys);
    router.routeWithRegex("/[^/]+\\.narinfo").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::narInfo);
    router.routeWithRegex(HttpMethod.GET, "/[^/]+\\.ls").handler(this::listing);
    router.get("/log/:drv").handler(logs::get);
    router.put("/log/:drv").handler(writes.body(config.maxLogBytes(), Role.WRITER)).handler(logs::put);
    router.route("/nar/:file").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::nar);
    // The write side (nix copy --to): the NAR streamed, then its narinfo; writers only.
    router.put("/nar/:file").handler(writes.streamed(Role.WRITER)).handler(uploads::putNar);
    router.routeWithRegex("/[^/]+\\.narinfo").method(HttpMethod.PUT).handler(writes.body(MAX_NARINFO_BYTES, Role.WRITER))
        .handler(uploads::putNarInfo);
    // nix copy --to '…?write-nar-listing=true' PUTs listings; Cairn computes its own from castore.
    router.routeWithRegex(HttpMethod.PUT, "/[^/]+\\.ls").handler(writes.body(MAX_NARINFO_BYTES, Role.WRITER))
        .handler(rc -> rc.response().setStatusCode(204).end());
    // Nix PUTs a nix-cache-info only when its GET failed; ours always answers, so this is a no-op.
    router.put("/nix-cache-info").handler(writes.body(MAX_NARINFO_BYTES, Role.WRITER)).handler(rc -> rc.response().setStatusCode(204).end());
  }

  private void cacheInfo(RoutingContext rc) {
    rc.response().putHeader("Content-Type", "text/x-nix-cache-info")
        .end("StoreDir: " + StorePath.STORE_DIR + "\nWantMassQuery: 1\nPriority: " + config.priority() + "\n");
  }

  private void publicKeys(RoutingContext rc) {
    JsonArray list = new JsonArray();
    keys.forEach(k -> list.add(k.toPublicKey().toString()));
    rc.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("public_keys", list).encode());
  }

  /** The store path digest of {@code /<hash32><suffix>}, or empty after answering 400. */
  private static Optional<StorePathDigest> pathDigest(RoutingContext rc, String field, String suffix) {
    String file = rc.request().path().substring(1);
    try {
      return Optional.of(StorePathDigest.of(field, StorePath.fromHashPart(file.substring(0, file.length() - suffix.length()))));
    } catch (ValidationException e) {
      error(rc, 400, e.getMessage());
      return Optional.empty();
    }
  }

  private void listing(RoutingContext rc) {
    Optional<StorePathDigest> digest = pathDigest(rc, "ls", LISTING_SUFFIX);
    if (digest.isEmpty()) {
      return;
    }
    store.pathInfos().get(digest.get())
        .compose(found -> found.isEmpty() ? Future.succeededFuture(Optional.<Buffer>empty())
            : NarLayout.load(store.directories(), found.get().node()).compose(layout -> blocking.executeBlocking(
                () -> Optional.of(NarListing.of(found.get().node(), layout).toBuffer()), false)))
        .onSuccess(json -> {
          if (json.isEmpty()) {
            error(rc, 404, "no such path in this cache");
          } else {
            rc.response().putHeader("Content-Type", "application/json").end(json.get());
          }
        }).onFailure(e -> HttpErrors.answer(rc, e));
  }

  private void narInfo(RoutingContext rc) {
    Optional<StorePathDigest> parsed = pathDigest(rc, "narinfo", NARINFO_SUFFIX);
    if (parsed.isEmpty()) {
      return;
    }
    StorePathDigest digest = parsed.get();
    // A hit is a stored path, the same answer whichever source PullThrough would pick: no lookup at all.
    Optional<byte[]> kept = narInfos.get(digest);
    if (kept.isPresent()) {
      sendNarInfo(rc, kept.get());
      return;
    }
    long epoch = narInfos.epoch();
    long readAt = narInfos.now();
    pullThrough.source(rc.request()).compose(paths -> paths.get(digest)).onSuccess(found -> {
      if (found.isEmpty()) {
        error(rc, 404, "no such path in this cache");
        return;
      }
      byte[] body = CacheNarInfo.of(found.get(), keys).render().getBytes(StandardCharsets.UTF_8);
      narInfos.put(digest, body, epoch, readAt);
      sendNarInfo(rc, body);
    }).onFailure(e -> HttpErrors.answer(rc, e));
  }

  private static void sendNarInfo(RoutingContext rc, byte[] body) {
    HttpServerResponse response = rc.response().putHeader("Content-Type", NarInfo.CONTENT_TYPE)
        .putHeader("Content-Length", Integer.toString(body.length));
    if (rc.request().method() == HttpMethod.HEAD) {
      // Vert.x would send the body of a HEAD answer too: the headers alone say what a GET gets.
      response.end();
    } else {
      response.end(Buffer.buffer(body));
    }
  }

  private void nar(RoutingContext rc) {
    NarUrl url;
    try {
      url = NarUrl.parse(rc.pathParam("file"));
    } catch (ValidationException e) {
      // Not a name Cairn ever gave out, so nothing is here: 404, which is what Nix's existence
      // check before an upload (HEAD /nar/<file hash>.nar.xz) must get, not an error.
      error(rc, 404, e.getMessage());
      return;
    }
    pullThrough.source(rc.request()).compose(paths -> paths.get(url.path())).onSuccess(found -> {
      Optional<PathInfo> info = found.filter(i -> i.narSha256().equals(url.narHash()));
      if (info.isEmpty()) {
        error(rc, 404, "no such NAR in this cache");
        return;
      }
      serveNar(rc, info.get(), url);
    }).onFailure(e -> HttpErrors.answer(rc, e));
  }

  private void serveNar(RoutingContext rc, PathInfo info, NarUrl url) {
    HttpServerResponse response = rc.response();
    Optional<ByteRange> range;
    try {
      range = ByteRange.parse(rc.request().getHeader("Range"), info.narSize());
    } catch (ByteRange.Unsatisfiable e) {
      response.putHeader("Content-Range", "bytes */" + info.narSize());
      error(rc, 416, e.getMessage());
      return;
    }
    Future<Optional<String>> check = completeTrees.contains(info.node()) ? Future.succeededFuture(Optional.empty())
        : TreeCheck.missing(info.node(), store.blobs(), store.directories());
    check.onSuccess(missing -> {
      if (missing.isEmpty()) {
        completeTrees.add(info.node());
      }
      if (missing.isPresent()) {
        LOG.severe("NAR of " + info.storePath() + " cannot be rendered: " + missing.get());
        error(rc, 500, "the NAR of " + info.storePath().baseName() + " cannot be rendered: " + missing.get());
        return;
      }
      long start = range.map(ByteRange::start).orElse(0L);
      long length = range.map(ByteRange::length).orElse(info.narSize());
      // Compressed only whole: a Range counts bytes of the NAR itself (WIRE.md §2).
      boolean zstd = config.zstdResponses() && range.isEmpty() && AcceptEncoding.allows(rc.request().getHeader("Accept-Encoding"), "zstd");
      response.setStatusCode(range.isPresent() ? 206 : 200)
          .putHeader("Content-Type", "application/x-nix-nar")
          .putHeader("Accept-Ranges", "bytes")
          .putHeader("Vary", "Accept-Encoding");
      if (zstd) {
        response.putHeader("Content-Encoding", "zstd").setChunked(true);
      } else {
        response.putHeader("Content-Length", Long.toString(length));
      }
      range.ifPresent(r -> response.putHeader("Content-Range", r.contentRange()));
      if (rc.request().method() == HttpMethod.HEAD) {
        response.end();
        return;
      }
      nars.send(response, Vertx.currentContext(), info.node(), start, length, zstd, url.toString())
          .onFailure(e -> response.reset());
    }).onFailure(e -> HttpErrors.answer(rc, e));
  }

  /**
   * {@code {"detail": ...}}, or for HEAD the status alone: Vert.x sends a HEAD answer's body over
   * HTTP/2 (h2c clients such as the JDK's), which a client would take for the next frame's.
   */
  private static void error(RoutingContext rc, int status, String detail) {
    if (rc.request().method() == HttpMethod.HEAD) {
      rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").putHeader("Content-Length", "0").end();
    } else {
      JsonError.send(rc.response(), status, detail);
    }
  }
}
