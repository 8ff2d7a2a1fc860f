package dev.cairn.registry;

import dev.cairn.registry.RegistryIndex.Document;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The image config and its two manifest renderings (OCI and Docker schema 2), each addressable by
 * its own digest (WIRE.md §5). Rendered deterministically: fixed key order, no whitespace, no
 * timestamps but the fixed {@value #CREATED}, so one closure always gives the same digests.
 */
record ImageDocuments(Document config, Document oci, Document docker) {
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
  static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
  static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
  static final List<String> MANIFEST_TYPES = List.of(OCI_MANIFEST, DOCKER_MANIFEST);
  private static final String CREATED = "1970-01-01T00:00:01Z";

  /** A layer as a manifest lists it: the digest and size of its bytes, the digest of its tar. */
  record LayerRef(OciDigest diffId, OciDigest digest, long size) {}

  /** Layers bottom first, in the given compression; diff_ids are the uncompressed tar digests. */
  static ImageDocuments render(List<LayerRef> layers, Customisation custom, LayerCompression compression) {
    JsonArray diffIds = new JsonArray();
    layers.forEach(l -> diffIds.add(l.diffId().text()));
    JsonObject runtime = new JsonObject().put("Env", new JsonArray(custom.env()));
    if (!custom.cmd().isEmpty()) {
      runtime.put("Cmd", new JsonArray(custom.cmd()));
    }
    custom.user().ifPresent(u -> runtime.put("User", u));
    JsonObject config = new JsonObject()
        .put("created", CREATED)
        .put("architecture", architecture())
        .put("os", "linux")
        .put("config", runtime)
        .put("rootfs", new JsonObject().put("type", "layers").put("diff_ids", diffIds));
    byte[] configBytes = config.encode().getBytes(StandardCharsets.UTF_8);
    Document ociConfig = Document.of(OCI_CONFIG, configBytes);
    return new ImageDocuments(ociConfig,
        manifest(OCI_MANIFEST, OCI_CONFIG, compression.ociType, ociConfig, layers),
        manifest(DOCKER_MANIFEST, DOCKER_CONFIG, compression.dockerType, ociConfig, layers));
  }

  private static Document manifest(String type, String configType, String layerType, Document config, List<LayerRef> layers) {
    JsonArray list = new JsonArray();
    layers.forEach(l -> list.add(new JsonObject().put("mediaType", layerType).put("digest", l.digest().text()).put("size", l.size())));
    JsonObject manifest = new JsonObject()
        .put("schemaVersion", 2)
        .put("mediaType", type)
        .put("config", new JsonObject().put("mediaType", configType).put("digest", config.digest().text()).put("size", config.content().length))
        .put("layers", list);
    return Document.of(type, manifest.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** The OCI name of this machine's architecture (store paths are built for the server's system). */
  static String architecture() {
    String arch = System.getProperty("os.arch");
    return switch (arch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> arch;
    };
  }
}
