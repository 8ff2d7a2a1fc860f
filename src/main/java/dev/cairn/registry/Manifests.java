package dev.cairn.registry;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code GET/HEAD /v2/<name>/manifests/<reference>}. The tag {@code latest} resolves the name to
 * the store's current paths; the rendering is OCI when the Accept header allows it, Docker schema
 * 2 otherwise. A digest names one stored rendering and is answered from the index without
 * resolving anything (containerd's HEAD-then-GET-by-digest).
 */
final class Manifests {
  static final String LATEST = "latest";

  private final ImageResolver resolver;
  private final RegistryIndex index;

  Manifests(ImageResolver resolver, RegistryIndex index) {
    this.resolver = resolver;
    this.index = index;
  }

  void handle(RoutingContext rc, ImageName name, String referenceText) {
    ManifestReference reference = ManifestReference.parse(referenceText);
    if (reference instanceof ManifestReference.Digest d) {
      if (d.digest().isEmpty()) {
        throw RegistryError.manifestUnknown("no manifest " + d.text());
      }
      index.document(d.digest().get()).compose(doc -> {
        if (doc.isEmpty() || !ImageDocuments.MANIFEST_TYPES.contains(doc.get().mediaType())) {
          return Future.failedFuture(RegistryError.manifestUnknown("no manifest " + d.text()));
        }
        Documents.send(rc, doc.get(), doc.get().mediaType(), false);
        return Future.succeededFuture();
      }).onFailure(e -> RegistryResponses.fail(rc, e));
      return;
    }
    String tag = ((ManifestReference.Tag) reference).name();
    if (!tag.equals(LATEST)) {
      throw RegistryError.manifestUnknown("unknown tag \"" + tag + "\": images are tagged " + LATEST + "; pin one by its manifest digest");
    }
    resolver.resolve(name).onSuccess(docs -> {
      boolean oci = acceptsOci(rc.request().headers().getAll("Accept"));
      RegistryIndex.Document doc = oci ? docs.oci() : docs.docker();
      Documents.send(rc, doc, doc.mediaType(), false);
    }).onFailure(e -> RegistryResponses.fail(rc, e));
  }

  /** Whether one of the Accept headers (each possibly a comma-separated list) names the OCI manifest type. */
  static boolean acceptsOci(List<String> accept) {
    for (String header : accept) {
      for (String item : header.split(",")) {
        String[] parts = item.split(";");
        if (parts[0].strip().equalsIgnoreCase(ImageDocuments.OCI_MANIFEST) && !refused(parts)) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code q=0} (RFC 9110 §12.4.2): the type is not acceptable. */
  private static boolean refused(String[] parts) {
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].strip();
      if (p.startsWith("q=")) {
        return p.substring(2).matches("0(\\.0{0,3})?");
      }
    }
    return false;
  }
}
