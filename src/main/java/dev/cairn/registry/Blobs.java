package dev.cairn.registry;

import dev.cairn.castore.BlobReader;
import dev.cairn.registry.RegistryIndex.CompressedLayer;
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
 * {@code GET/HEAD /v2/<name>/blobs/<digest>}: a stored document from memory, a store layer
 * re-rendered from castore as a stream (uncompressed, so Range needs no stored copy), checked
 * against its promised digest as it goes ({@link VerifiedRange}), or a compressed layer read
 * back from the castore blob it was kept in ({@link CompressedLayers}). A blob is served under any
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
          return index.compressedByDigest(digest).compose(compressed -> {
            if (compressed.isEmpty()) {
              return Future.failedFuture(RegistryError.blobUnknown(digest.text()));
            }
            serveCompressed(rc, compressed.get());
            return Future.<Void>succeededFuture();
          });
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

  /** A byte range of a blob, to send once the headers are out. */
  private record Span(long start, long length) {}

  /**
   * The headers of a blob response (digest, ETag, Range, exact length): the span to send, or
   * empty when the response is complete already (304, 416, HEAD).
   */
  private static Optional<Span> begin(RoutingContext rc, OciDigest digest, long size) {
    HttpServerResponse response = Documents.digestHeaders(rc, digest);
    if (Documents.notModified(rc, digest)) {
      return Optional.empty();
    }
    response.putHeader("Accept-Ranges", "bytes");
    Optional<ByteRange> range;
    try {
      range = ByteRange.parse(rc.request().getHeader("Range"), size);
    } catch (ByteRange.Unsatisfiable e) {
      Documents.unsatisfiable(rc, size, e);
      return Optional.empty();
    }
    long length = range.map(ByteRange::length).orElse(size);
    response.setStatusCode(range.isPresent() ? 206 : 200).putHeader("Content-Type", BLOB_TYPE)
        .putHeader("Content-Length", Long.toString(length));
    range.ifPresent(r -> response.putHeader("Content-Range", r.contentRange()));
    if (rc.request().method() == HttpMethod.HEAD) {
      response.end();
      return Optional.empty();
    }
    return Optional.of(new Span(range.map(ByteRange::start).orElse(0L), length));
  }

  /** A compressed layer read back from its castore blob; chunks are verified as they are read. */
  private void serveCompressed(RoutingContext rc, CompressedLayer layer) {
    Optional<Span> span = begin(rc, layer.digest(), layer.size());
    if (span.isEmpty()) {
      return;
    }
    HttpServerResponse response = rc.response();
    store.blobs().open(layer.blob(), span.get().start(), span.get().length()).compose(reader -> {
      if (reader.isEmpty() || reader.get().length() != span.get().length()) {
        reader.ifPresent(BlobReader::close);
        return Future.failedFuture(new IOException("blob " + layer.blob() + " of layer " + layer.digest() + " is missing or short"));
      }
      return reader.get().pipeTo(response, PIECE);
    }).onSuccess(v -> response.end()).onFailure(e -> {
      response.reset();
      LOG.log(Level.SEVERE, "layer " + layer.digest() + " stopped after the headers: " + e.getMessage());
    });
  }

  private void serveLayer(RoutingContext rc, StoredLayer layer, List<PathInfo> paths) {
    Optional<Span> span = begin(rc, layer.digest(), layer.size());
    if (span.isEmpty()) {
      return;
    }
    HttpServerResponse response = rc.response();
    long start = span.get().start();
    long length = span.get().length();
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
