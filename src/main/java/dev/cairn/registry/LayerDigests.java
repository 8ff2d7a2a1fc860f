package dev.cairn.registry;

import dev.cairn.castore.chunks.RequestLimiter;
import dev.cairn.registry.CompressedLayers.Made;
import dev.cairn.registry.ImageDocuments.LayerRef;
import dev.cairn.registry.RegistryIndex.CompressedLayer;
import dev.cairn.registry.RegistryIndex.StoredLayer;
import dev.cairn.store.PathInfo;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The store layers of one resolution as a manifest lists them. Known layers come from the index
 * (one query per table for the whole image); each new one is rendered once ({@link
 * CompressedLayers#make}: tar digest and compressed blob in one pass) on the NAR pool, the largest
 * first, at most one per core at a time across all resolutions, so a cold image uses every core
 * and still leaves NAR pool threads to the binary cache.
 */
final class LayerDigests {
  private final RegistryIndex index;
  private final CompressedLayers renderer;
  private final WorkerExecutor pool;
  private final RequestLimiter renderings;

  LayerDigests(RegistryIndex index, CompressedLayers renderer, WorkerExecutor pool, int parallel) {
    this.index = index;
    this.renderer = renderer;
    this.pool = pool;
    this.renderings = new RequestLimiter(parallel);
  }

  LayerCompression compression() {
    return renderer.compression();
  }

  /** The groups' layers, in group order. */
  Future<List<LayerRef>> refs(List<List<PathInfo>> groups) {
    List<String> keys = groups.stream().map(LayerRecipe::key).toList();
    LayerCompression compression = renderer.compression();
    Future<Map<String, CompressedLayer>> knownCompressed = compression == LayerCompression.NONE ? Future.succeededFuture(Map.of())
        : index.compressedByKeys(keys, compression);
    return index.layersByKeys(keys).compose(known -> knownCompressed.compose(compressed -> {
      List<Integer> missing = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        if (!known.containsKey(keys.get(i)) || compression != LayerCompression.NONE && !compressed.containsKey(keys.get(i))) {
          missing.add(i);
        }
      }
      missing.sort(Comparator.<Integer>comparingLong(i -> groups.get(i).stream().mapToLong(PathInfo::narSize).sum()).reversed()
          .thenComparing(Comparator.naturalOrder()));
      List<Future<Made>> made = missing.stream().map(i -> make(keys.get(i), groups.get(i), Optional.ofNullable(known.get(keys.get(i))))).toList();
      return Future.all(made).compose(v -> store(made.stream().map(Future::result).toList(), known))
          .compose(v -> compression == LayerCompression.NONE || missing.isEmpty() ? Future.succeededFuture(compressed)
              : index.compressedByKeys(keys, compression))
          .compose(finalCompressed -> {
            Map<String, StoredLayer> layers = new java.util.HashMap<>(known);
            made.forEach(m -> layers.putIfAbsent(m.result().layer().key(), m.result().layer()));
            List<LayerRef> refs = new ArrayList<>();
            for (String key : keys) {
              StoredLayer layer = layers.get(key);
              if (compression == LayerCompression.NONE) {
                refs.add(new LayerRef(layer.digest(), layer.digest(), layer.size()));
              } else {
                CompressedLayer c = finalCompressed.get(key);
                if (c == null) {
                  return Future.failedFuture(new IllegalStateException("compressed layer " + key + " was stored but is not in the index"));
                }
                refs.add(new LayerRef(layer.digest(), c.digest(), c.size()));
              }
            }
            return Future.succeededFuture(refs);
          });
    }));
  }

  private Future<Made> make(String key, List<PathInfo> paths, Optional<StoredLayer> promised) {
    Context context = Vertx.currentContext();
    var done = renderings.submit(() -> pool.executeBlocking(() -> renderer.make(key, paths, promised), false).toCompletionStage().toCompletableFuture());
    // back on the caller's context, so what follows the rendering runs where the resolution started
    return context == null ? Future.fromCompletionStage(done) : Future.fromCompletionStage(done, context);
  }

  /** New layers and compressed renderings into the index (a concurrent resolution may have stored them first: its rows stay). */
  private Future<Void> store(List<Made> made, Map<String, StoredLayer> known) {
    List<StoredLayer> layers = made.stream().map(Made::layer).filter(l -> !known.containsKey(l.key())).toList();
    List<CompressedLayer> compressed = made.stream().flatMap(m -> m.compressed().stream()).toList();
    Future<Void> first = layers.isEmpty() ? Future.succeededFuture() : index.putLayers(layers);
    return first.compose(v -> compressed.isEmpty() ? Future.succeededFuture() : index.putCompressed(compressed));
  }
}
