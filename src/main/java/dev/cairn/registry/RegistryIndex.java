package dev.cairn.registry;

import dev.cairn.castore.B3Digest;
import dev.cairn.db.Database;
import dev.cairn.db.Row;
import dev.cairn.nix.StorePath;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The registry's metadata (tables of V019 and V022): store layers by key and digest, small documents
 * (manifests, configs, customisation layers) by digest, and the images resolved so far.
 */
final class RegistryIndex {
  /** A store layer: its key, the digest and size of its uncompressed tar, and its store paths. */
  record StoredLayer(String key, OciDigest digest, long size, List<StorePath> paths) {
    StoredLayer {
      paths = List.copyOf(paths);
    }
  }

  /** A compressed rendering of a store layer, kept as the castore blob {@code blob}. */
  record CompressedLayer(String key, LayerCompression compression, OciDigest digest, long size, B3Digest blob) {}

  /** A document served from memory by digest. */
  record Document(OciDigest digest, String mediaType, byte[] content) {
    static Document of(String mediaType, byte[] content) {
      return new Document(OciDigest.sha256Of(content), mediaType, content);
    }
  }

  /** Keys one lookup may name: above the layer budget's maximum (125), far below both dialects' parameter limits. */
  static final int MAX_KEYS = 200;

  private final Database db;

  RegistryIndex(Database db) {
    this.db = db;
  }

  /** The stored layers among {@code keys} (at most {@link #MAX_KEYS}), by key. */
  Future<Map<String, StoredLayer>> layersByKeys(List<String> keys) {
    return db.query("SELECT layer_key, digest, size, store_paths FROM registry_layers WHERE layer_key IN " + in(keys), keys.toArray())
        .map(rows -> byKey(rows.stream().map(RegistryIndex::layer).toList(), StoredLayer::key));
  }

  Future<Optional<StoredLayer>> layerByDigest(OciDigest digest) {
    return db.queryOne("SELECT layer_key, digest, size, store_paths FROM registry_layers WHERE digest = ? ORDER BY layer_key LIMIT 1",
        digest.text()).map(r -> r.map(RegistryIndex::layer));
  }

  /** Stores new layers; a key stored already keeps its row (the recipe makes the same digest). */
  Future<Void> putLayers(List<StoredLayer> layers) {
    long now = System.currentTimeMillis();
    List<Object[]> rows = new ArrayList<>();
    layers.forEach(l -> rows.add(new Object[] {l.key(), l.digest().text(), l.size(),
        String.join("\n", l.paths().stream().map(StorePath::fullPath).toList()), now}));
    return db.batch("INSERT INTO registry_layers (layer_key, digest, size, store_paths, used_at) VALUES (?, ?, ?, ?, ?)"
        + " ON CONFLICT (layer_key) DO NOTHING", rows);
  }

  /** The compressed renderings among {@code keys} (at most {@link #MAX_KEYS}), by key. */
  Future<Map<String, CompressedLayer>> compressedByKeys(List<String> keys, LayerCompression compression) {
    List<Object> params = new ArrayList<>(keys);
    params.add(compression.label());
    return db.query("SELECT layer_key, compression, digest, size, blob FROM registry_compressed_layers WHERE layer_key IN " + in(keys)
        + " AND compression = ?", params.toArray()).map(rows -> byKey(rows.stream().map(RegistryIndex::compressedLayer).toList(), CompressedLayer::key));
  }

  Future<Optional<CompressedLayer>> compressedByDigest(OciDigest digest) {
    return db.queryOne("SELECT layer_key, compression, digest, size, blob FROM registry_compressed_layers WHERE digest = ?"
        + " ORDER BY layer_key, compression LIMIT 1", digest.text()).map(r -> r.map(RegistryIndex::compressedLayer));
  }

  /** Stores new compressed renderings; one stored already for its key and compression keeps its row. */
  Future<Void> putCompressed(List<CompressedLayer> layers) {
    long now = System.currentTimeMillis();
    List<Object[]> rows = new ArrayList<>();
    layers.forEach(l -> rows.add(new Object[] {l.key(), l.compression().label(), l.digest().text(), l.size(), l.blob().bytes(), now}));
    return db.batch("INSERT INTO registry_compressed_layers (layer_key, compression, digest, size, blob, used_at) VALUES (?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT (layer_key, compression) DO NOTHING", rows);
  }

  /** Marks compressed layers as used now (see {@link #touchLayers}). */
  Future<Void> touchCompressed(List<String> keys, LayerCompression compression) {
    long now = System.currentTimeMillis();
    List<Object[]> rows = new ArrayList<>();
    keys.forEach(k -> rows.add(new Object[] {now, k, compression.label()}));
    return db.batch("UPDATE registry_compressed_layers SET used_at = ? WHERE layer_key = ? AND compression = ?", rows);
  }

  /** Marks layers as used now, so that a collection running meanwhile keeps them. */
  Future<Void> touchLayers(List<String> keys) {
    long now = System.currentTimeMillis();
    List<Object[]> rows = new ArrayList<>();
    keys.forEach(k -> rows.add(new Object[] {now, k}));
    return db.batch("UPDATE registry_layers SET used_at = ? WHERE layer_key = ?", rows);
  }

  Future<Optional<Document>> document(OciDigest digest) {
    return db.queryOne("SELECT digest, media_type, content FROM registry_documents WHERE digest = ?", digest.text())
        .map(r -> r.map(row -> new Document(new OciDigest(row.string("digest")), row.string("media_type"), row.bytes("content"))));
  }

  Future<Void> putDocuments(List<Document> documents) {
    long now = System.currentTimeMillis();
    List<Object[]> rows = new ArrayList<>();
    documents.forEach(d -> rows.add(new Object[] {d.digest().text(), d.mediaType(), d.content(), now}));
    return db.batch("INSERT INTO registry_documents (digest, media_type, content, used_at) VALUES (?, ?, ?, ?)"
        + " ON CONFLICT (digest) DO UPDATE SET used_at = excluded.used_at", rows);
  }

  Future<Void> putImage(String repository, OciDigest oci, OciDigest docker) {
    return db.update("INSERT INTO registry_images (repository, oci_manifest, docker_manifest, resolved_at) VALUES (?, ?, ?, ?)"
        + " ON CONFLICT (repository) DO UPDATE SET oci_manifest = excluded.oci_manifest, docker_manifest = excluded.docker_manifest,"
        + " resolved_at = excluded.resolved_at", utf8(repository), oci.text(), docker.text(), System.currentTimeMillis()).mapEmpty();
  }

  /** The OCI manifest the image's last stored resolution gave. */
  Future<Optional<OciDigest>> currentManifest(String repository) {
    return db.queryOne("SELECT oci_manifest FROM registry_images WHERE repository = ?", utf8(repository))
        .map(r -> r.map(row -> new OciDigest(row.string("oci_manifest"))));
  }

  /** Repository names after {@code last} (exclusive), in lexical order. */
  Future<List<String>> repositories(Optional<String> last, int limit) {
    return db.query("SELECT repository FROM registry_images WHERE repository > ? ORDER BY repository LIMIT ?", utf8(last.orElse("")), limit)
        .map(rows -> rows.stream().map(r -> new String(r.bytes("repository"), java.nio.charset.StandardCharsets.UTF_8)).toList());
  }

  /** {@code (?, ?, …)} for the keys; callers pass at most {@link #MAX_KEYS}. */
  private static String in(List<String> keys) {
    if (keys.isEmpty() || keys.size() > MAX_KEYS) {
      throw new IllegalArgumentException("between 1 and " + MAX_KEYS + " layer keys, got " + keys.size());
    }
    return "(" + String.join(", ", java.util.Collections.nCopies(keys.size(), "?")) + ")";
  }

  private static <T> Map<String, T> byKey(List<T> rows, Function<T, String> key) {
    Map<String, T> out = new HashMap<>();
    rows.forEach(r -> out.put(key.apply(r), r));
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static CompressedLayer compressedLayer(Row r) {
    return new CompressedLayer(r.string("layer_key"), LayerCompression.valueOf(r.string("compression").toUpperCase(java.util.Locale.ROOT)),
        new OciDigest(r.string("digest")), r.getLong("size"), B3Digest.of(r.bytes("blob")));
  }

  private static StoredLayer layer(Row r) {
    List<StorePath> paths = Arrays.stream(r.string("store_paths").split("\n")).filter(s -> !s.isEmpty()).map(StorePath::parse).toList();
    return new StoredLayer(r.string("layer_key"), new OciDigest(r.string("digest")), r.getLong("size"), paths);
  }
}
