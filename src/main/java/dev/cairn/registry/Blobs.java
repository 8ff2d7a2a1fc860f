package dev.cairn.registry;

import dev.cairn.registry.RegistryIndex.StoredLayer;
import dev.cairn.server.http.ByteRange;
import dev.cairn.server.http.ResponseOutputStream;
import dev.cairn.store.PathInfo;
import dev.cairn.store.Store;
import dev.cairn.store.StorePathDigest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code GET/HEAD /v2/<name>/blobs/<digest>}: a stored document from memory, or a store layer
 * re-rendered from castore as a stream (uncompressed, so Range needs no stored copy), checked
 * against its promised digest as it goes ({@link VerifiedRange}). A blob is served under any
 * valid name: its digest alone says what it is.
 */
final class Blobs {
  private static final Logger LOG = Logger.getLogger("cairn.registry");
  private static final String BLOB_TYPE = "application/octet-stream";
  /** Bytes handed to the response and not yet on the socket, per download. */
  private static final int MAX_IN_FLIGHT = 4 << 20;
  private static final int PIECE = 128 << 10;

  private final Store store;
  private final RegistryIndex index;
  private final LayerRecipe recipe;
  private final long stallMillis;

  Blobs(Store store, RegistryIndex index, LayerRecipe recipe, long stallMillis) {
    this.store = store;
    this.index = index;
    this.recipe = recipe;
    this.stallMillis = stallMillis;
  }

  void handle(RoutingContext rc, String digestText) {
    Optional<OciDigest> parsed = OciDigest.parse(digestText);
    if (parsed.isEmpty()) {
      throw RegistryError.blobUnknown(digestText);
    }
    OciDigest digest = parsed.get();
    index.document(digest).compose(doc -> {
      if (doc.isPresent()) {
        Documents.send(rc, doc.get(), BLOB_TYPE, true);
        return Future.succeededFuture();
      }
      return index.layerByDigest(digest).compose(layer -> {
        if (layer.isEmpty()) {
          return Future.failedFuture(RegistryError.blobUnknown(digest.text()));
        }
        return paths(layer.get()).compose(paths -> {
          serveLayer(rc, layer.get(), paths);
          return Future.<Void>succeededFuture();
        });
      });
    }).onFailure(e -> RegistryResponses.fail(rc, e));
  }

  /** The layer's PathInfos as they are now; a path gone or changed since makes the blob unknown. */
  private Future<List<PathInfo>> paths(StoredLayer layer) {
    List<Future<Optional<PathInfo>>> gets = layer.paths().stream().map(p -> store.pathInfos().get(StorePathDigest.of(p))).toList();
    return Future.all(gets).compose(v -> {
      List<PathInfo> infos = new ArrayList<>();
      for (Future<Optional<PathInfo>> g : gets) {
        if (g.result().isEmpty()) {
          return Future.failedFuture(RegistryError.blobUnknown(layer.digest().text()));
        }
        infos.add(g.result().get());
      }
      if (!LayerRecipe.key(infos).equals(layer.key())) {
        return Future.failedFuture(RegistryError.blobUnknown(layer.digest().text()));
      }
      return Future.succeededFuture(infos);
    });
  }

  private void serveLayer(RoutingContext rc, StoredLayer layer, List<PathInfo> paths) {
    HttpServerResponse response = Documents.digestHeaders(rc, layer.digest());
    if (Documents.notModified(rc, layer.digest())) {
      return;
    }
    response.putHeader("Accept-Ranges", "bytes");
    Optional<ByteRange> range;
    try {
      range = ByteRange.parse(rc.request().getHeader("Range"), layer.size());
    } catch (ByteRange.Unsatisfiable e) {
      Documents.unsatisfiable(rc, layer.size(), e);
      return;
    }
    long start = range.map(ByteRange::start).orElse(0L);
    long length = range.map(ByteRange::length).orElse(layer.size());
    response.setStatusCode(range.isPresent() ? 206 : 200).putHeader("Content-Type", BLOB_TYPE)
        .putHeader("Content-Length", Long.toString(length));
    range.ifPresent(r -> response.putHeader("Content-Range", r.contentRange()));
    if (rc.request().method() == HttpMethod.HEAD) {
      response.end();
      return;
    }
    Context context = Vertx.currentContext();
    store.narPool().executeBlocking(() -> {
      ResponseOutputStream out = new ResponseOutputStream(response, context, MAX_IN_FLIGHT, PIECE, stallMillis);
      VerifiedRange verified = new VerifiedRange(out, start, length, layer.digest(), layer.size());
      try {
        recipe.render(paths, verified);
        verified.finish();
      } catch (IOException | RuntimeException e) {
        context.runOnContext(v -> response.reset());
        Level level = e instanceof VerifiedRange.Mismatch ? Level.SEVERE : Level.WARNING;
        LOG.log(level, "layer " + layer.digest() + " stopped after the headers: " + e.getMessage());
      }
      return null;
    }, false);
  }
}
