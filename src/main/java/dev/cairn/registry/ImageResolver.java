package dev.cairn.registry;

import dev.cairn.nix.StorePath;
import dev.cairn.registry.ImageDocuments.LayerRef;
import dev.cairn.registry.RegistryIndex.Document;
import dev.cairn.store.PathInfo;
import dev.cairn.store.PathNames;
import dev.cairn.store.Store;
import dev.cairn.store.StorePathDigest;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Image name → the current image: packages resolved against the store's PathInfo names (newest
 * registered wins; several paths registered at that same newest moment are ambiguous), their
 * closure, layered, each store layer's digest and size computed once and kept (and its compressed
 * rendering, under {@code registry.layer_compression}; see {@link LayerDigests}), the customisation layer, config and
 * manifests stored by digest. Concurrent resolutions of one name share one run ({@link Coalescer}).
 */
final class ImageResolver {
  private final Store store;
  private final RegistryIndex index;
  private final LayerRecipe recipe;
  private final CompressedLayers compressed;
  private final LayerDigests layerDigests;
  private final int maxLayers;
  private final Layering.Strategy layering;
  private final Coalescer<String, ImageDocuments> resolutions = new Coalescer<>();
  private final ResolvedImages resolved = new ResolvedImages();

  ImageResolver(Store store, RegistryIndex index, int maxLayers, Layering.Strategy layering, LayerCompression compression,
      MeterRegistry metrics) {
    FunctionCounter.builder("cairn.registry.resolutions", resolutions, Coalescer::runs)
        .description("Image resolutions run (concurrent requests for one name share one)").register(metrics);
    FunctionCounter.builder("cairn.registry.resolutions.joined", resolutions, Coalescer::joined)
        .description("Image requests that shared a resolution already under way").register(metrics);
    this.store = store;
    this.index = index;
    this.recipe = new LayerRecipe(store.blobs(), store.directories());
    this.compressed = new CompressedLayers(store.blobs(), recipe, compression);
    this.layerDigests = new LayerDigests(index, compressed, store.narPool(), Runtime.getRuntime().availableProcessors());
    this.maxLayers = maxLayers;
    this.layering = layering;
  }

  LayerRecipe recipe() {
    return recipe;
  }

  /** The image the name stands for now; concurrent calls for one name get the same future. */
  Future<ImageDocuments> resolve(ImageName name) {
    return resolutions.run(name.repository(), () -> build(name));
  }

  /** The top-level paths of a name, in name order; unknown or ambiguous packages fail naming each. */
  Future<List<PathInfo>> packages(ImageName name) {
    List<Future<Optional<PathInfo>>> found = name.packages().stream().map(this::lookup).toList();
    return Future.join(found).transform(ar -> {
      List<String> problems = new ArrayList<>();
      List<PathInfo> tops = new ArrayList<>();
      for (int i = 0; i < found.size(); i++) {
        Future<Optional<PathInfo>> f = found.get(i);
        if (f.failed()) {
          if (f.cause() instanceof RegistryError e) {
            problems.add(e.detail());
            continue;
          }
          return Future.failedFuture(f.cause());
        }
        if (f.result().isEmpty()) {
          problems.add("unknown package \"" + name.packages().get(i).describe() + "\"");
        } else if (tops.stream().noneMatch(t -> t.storePath().equals(f.result().get().storePath()))) {
          tops.add(f.result().get());
        }
      }
      if (!problems.isEmpty()) {
        return Future.failedFuture(RegistryError.manifestUnknown(String.join("; ", problems)));
      }
      return Future.succeededFuture(tops);
    });
  }

  private Future<Optional<PathInfo>> lookup(ImageName.Package pkg) {
    if (pkg instanceof ImageName.ByHash h) {
      return store.pathInfos().get(StorePathDigest.of("name", StorePath.fromHashPart(h.hashPart())));
    }
    String wanted = ((ImageName.ByName) pkg).name();
    return store.names().named(wanted).compose(candidates -> {
      if (candidates.isEmpty()) {
        return Future.succeededFuture(Optional.empty());
      }
      if (candidates.size() > PathNames.MAX_CANDIDATES) {
        return Future.failedFuture(RegistryError.manifestUnknown("package \"" + wanted + "\" names more than " + PathNames.MAX_CANDIDATES
            + " store paths: name one with store/<hash>"));
      }
      long newest = candidates.stream().mapToLong(PathNames.Registered::createdAt).max().orElseThrow();
      List<StorePath> latest = candidates.stream().filter(c -> c.createdAt() == newest).map(PathNames.Registered::path).sorted().toList();
      if (latest.size() > 1) {
        return Future.failedFuture(RegistryError.manifestUnknown("package \"" + wanted + "\" is ambiguous, candidates: "
            + latest.stream().map(StorePath::fullPath).collect(Collectors.joining(", ")) + " (name one with store/<hash>)"));
      }
      return store.pathInfos().get(StorePathDigest.of(latest.get(0)));
    });
  }

  /**
   * The warm path: the name's top-level paths (one query per package) and its current manifest;
   * when they match the last resolution held in memory, that resolution is the answer.
   */
  private Future<ImageDocuments> build(ImageName name) {
    return packages(name).compose(tops -> {
      List<StorePath> paths = tops.stream().map(PathInfo::storePath).toList();
      Optional<ImageDocuments> held = resolved.get(name.repository(), paths);
      if (held.isEmpty()) {
        return render(name, tops);
      }
      return index.currentManifest(name.repository()).compose(current -> {
        if (current.equals(Optional.of(held.get().oci().digest()))) {
          return Future.succeededFuture(held.get());
        }
        resolved.remove(name.repository());
        return render(name, tops);
      });
    });
  }

  private Future<ImageDocuments> render(ImageName name, List<PathInfo> tops) {
    List<StorePath> paths = tops.stream().map(PathInfo::storePath).toList();
    return Closure.of(store.pathInfos(), tops).compose(closure -> groups(tops, closure).compose(groups -> {
      List<String> keys = groups.stream().map(LayerRecipe::key).toList();
      Future<List<LayerRef>> layers = layerDigests.refs(groups);
      Future<Customisation> custom = Customisation.build(store.directories(), tops, closure, name.nonRoot());
      return layers.compose(v -> custom).compose(c -> {
        Document customLayer = Document.of(compressed.compression().ociType, compressed.document(c.tar()));
        List<LayerRef> refs = new ArrayList<>(layers.result());
        refs.add(new LayerRef(OciDigest.sha256Of(c.tar()), customLayer.digest(), customLayer.content().length));
        ImageDocuments docs = ImageDocuments.render(refs, c, compressed.compression());
        // A warm resolution that finds the image as stored writes nothing: the current manifests are
        // in registry_images, and a collection keeps everything they name whatever its used_at.
        return index.currentManifest(name.repository()).compose(current -> current.equals(Optional.of(docs.oci().digest()))
            ? Future.succeededFuture(docs) : persist(name, docs, customLayer, keys));
      }).onSuccess(docs -> resolved.put(name.repository(), paths, docs));
    }));
  }

  /** Stores a resolution: layers marked used, documents by digest, the image's current manifests. */
  private Future<ImageDocuments> persist(ImageName name, ImageDocuments docs, Document customLayer, List<String> keys) {
    return index.touchLayers(keys)
        .compose(x -> compressed.compression() == LayerCompression.NONE ? Future.<Void>succeededFuture()
            : index.touchCompressed(keys, compressed.compression()))
        .compose(x -> index.putDocuments(List.of(customLayer, docs.config(), docs.oci(), docs.docker())))
        .compose(x -> index.putImage(name.repository(), docs.oci().digest(), docs.docker().digest()))
        .map(docs);
  }

  /** The store layers' path groups; the customisation layer takes one of the budget. */
  private Future<List<List<PathInfo>>> groups(List<PathInfo> tops, Map<StorePath, PathInfo> closure) {
    if (layering == Layering.Strategy.SIZE) {
      return Future.succeededFuture(Layering.sizeFirst(tops, closure, maxLayers - 1));
    }
    return store.popularity().referrers(new ArrayList<>(closure.keySet()))
        .map(referrers -> Layering.popularity(tops, closure, referrers, maxLayers - 1));
  }
}
