package dev.cairn.registry;

import dev.cairn.server.Capability;
import dev.cairn.server.ServerContext;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The pull side of the OCI distribution API (WIRE.md §5) under {@code /v2/}: images named by their
 * packages, built from the store's closures, layers streamed from castore. Read-only: pushes
 * are refused with 405 UNSUPPORTED. Routing is on the path alone; unknown query parameters
 * (containerd's {@code ns=}) are ignored, and every answer under /v2, unknown routes included,
 * is JSON with a spec error code.
 */
public final class RegistryCapability implements Capability {
  private static final String MANIFESTS = "/manifests/";
  private static final String BLOBS = "/blobs/";
  private static final String TAGS = "/tags/list";

  private final Manifests manifests;
  private final Blobs blobs;
  private final Listings listings;
  private final PullAuth auth;

  private RegistryCapability(ServerContext ctx, RegistryConfig config, long stallMillis) {
    RegistryIndex index = new RegistryIndex(ctx.db());
    ImageResolver resolver = new ImageResolver(ctx.store(), index, config.maxLayers(), config.layering(), config.compression(), ctx.metrics());
    this.manifests = new Manifests(resolver, index);
    this.blobs = new Blobs(ctx.store(), index, resolver.recipe(), stallMillis);
    this.listings = new Listings(resolver, index);
    this.auth = PullAuth.create(config, ctx.users());
  }

  public static Future<Capability> create(ServerContext ctx) {
    RegistryConfig config = RegistryConfig.from(ctx.config());
    long stallMillis = Math.max(1, ctx.config().integer("http.idle_timeout_seconds", 0, Integer.MAX_VALUE)) * 1000L;
    return Future.succeededFuture(new RegistryCapability(ctx, config, stallMillis));
  }

  /** The registry's part of a garbage collection (its metadata; it holds no store content). */
  public static dev.cairn.store.gc.MetadataSweep gcSweep(dev.cairn.db.Database db) {
    return new RegistryGc(db);
  }

  @Override
  public void routes(Router router) {
    router.route("/v2").handler(this::dispatch);
    router.route("/v2/*").handler(this::dispatch);
  }

  private void dispatch(RoutingContext rc) {
    rc.response().putHeader(RegistryResponses.API_VERSION, "registry/2.0");
    try {
      String path = rc.request().path();
      String rest = path.length() <= 4 ? "" : path.substring(4);
      if (rest.equals(PullAuth.TOKEN_PATH)) {
        auth.token(rc);
        return;
      }
      HttpMethod method = rc.request().method();
      if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
        rc.response().putHeader("Allow", "GET, HEAD");
        throw RegistryError.unsupported(405, "this registry serves pulls only (GET and HEAD)");
      }
      auth.check(rc, scope(rest), () -> route(rc, rest));
    } catch (RegistryError e) {
      RegistryResponses.error(rc, e);
    }
  }

  private void route(RoutingContext rc, String rest) {
    try {
      if (rest.isEmpty()) {
        RegistryResponses.json(rc, 200, new JsonObject());
      } else if (rest.equals("_catalog")) {
        listings.catalog(rc);
      } else if (rest.endsWith(TAGS)) {
        listings.tags(rc, ImageName.parse(rest.substring(0, rest.length() - TAGS.length())));
      } else if (rest.contains(MANIFESTS)) {
        int at = rest.lastIndexOf(MANIFESTS);
        manifests.handle(rc, ImageName.parse(rest.substring(0, at)), rest.substring(at + MANIFESTS.length()));
      } else if (rest.contains(BLOBS)) {
        int at = rest.lastIndexOf(BLOBS);
        ImageName.parse(rest.substring(0, at));
        blobs.handle(rc, rest.substring(at + BLOBS.length()));
      } else {
        throw RegistryError.unsupported(404, "no such route under /v2/");
      }
    } catch (RegistryError e) {
      RegistryResponses.error(rc, e);
    }
  }

  /** The repository a request reads, for a token's scope; empty for the ping and the catalog. */
  private static String scope(String rest) {
    for (String marker : new String[] {MANIFESTS, BLOBS, TAGS}) {
      int at = rest.lastIndexOf(marker);
      if (at > 0) {
        return rest.substring(0, at);
      }
    }
    return "";
  }
}
