package dev.cairn.registry;

import dev.cairn.db.Database;
import dev.cairn.store.gc.MetadataSweep;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects registry metadata no image needs any more: documents, layer rows and compressed layer
 * rows (whose blobs the next collection's mark then no longer keeps) that the current
 * manifests of {@code registry_images} (the last answer to each name's {@code latest}) do not
 * name, and that no resolution has used since the cutoff. Runs inside the store's garbage
 * collection (same lease, same grace period).
 */
final class RegistryGc implements MetadataSweep {
  private static final int PAGE = 500;

  private final Database db;

  RegistryGc(Database db) {
    this.db = db;
  }

  @Override
  public Future<Long> sweep(long cutoff, boolean dryRun) {
    return live(new HashSet<>(), new byte[0]).compose(live -> {
      Future<List<String>> docs = db.query("SELECT digest FROM registry_documents WHERE used_at < ?", cutoff)
          .map(rows -> rows.stream().map(r -> r.string("digest")).filter(d -> !live.contains(d)).toList());
      Future<List<String>> layers = db.query("SELECT layer_key, digest FROM registry_layers WHERE used_at < ?", cutoff)
          .map(rows -> rows.stream().filter(r -> !live.contains(r.string("digest"))).map(r -> r.string("layer_key")).toList());
      Future<List<Object[]>> compressed = db.query("SELECT layer_key, compression, digest FROM registry_compressed_layers WHERE used_at < ?", cutoff)
          .map(rows -> rows.stream().filter(r -> !live.contains(r.string("digest")))
              .map(r -> new Object[] {r.string("layer_key"), r.string("compression"), cutoff}).toList());
      return Future.all(docs, layers, compressed).compose(v -> {
        long n = docs.result().size() + layers.result().size() + compressed.result().size();
        if (dryRun || n == 0) {
          return Future.succeededFuture(n);
        }
        List<Object[]> docRows = new ArrayList<>();
        docs.result().forEach(d -> docRows.add(new Object[] {d, cutoff}));
        List<Object[]> layerRows = new ArrayList<>();
        layers.result().forEach(k -> layerRows.add(new Object[] {k, cutoff}));
        // the cutoff again: a resolution that used a row since the SELECT keeps it
        return db.batch("DELETE FROM registry_documents WHERE digest = ? AND used_at < ?", docRows)
            .compose(x -> db.batch("DELETE FROM registry_layers WHERE layer_key = ? AND used_at < ?", layerRows))
            .compose(x -> db.batch("DELETE FROM registry_compressed_layers WHERE layer_key = ? AND compression = ? AND used_at < ?",
                compressed.result()))
            .map(n);
      });
    });
  }

  /** Digests the current manifests name, themselves included, paging through the images. */
  private Future<Set<String>> live(Set<String> live, byte[] after) {
    return db.query("SELECT repository, oci_manifest, docker_manifest FROM registry_images WHERE repository > ? ORDER BY repository LIMIT ?",
        after, PAGE).compose(rows -> {
          if (rows.isEmpty()) {
            return Future.succeededFuture(live);
          }
          List<String> manifests = new ArrayList<>();
          rows.forEach(r -> {
            manifests.add(r.string("oci_manifest"));
            manifests.add(r.string("docker_manifest"));
          });
          live.addAll(manifests);
          return named(manifests, 0, live).compose(v -> live(live, rows.get(rows.size() - 1).bytes("repository")));
        });
  }

  private Future<Void> named(List<String> manifests, int i, Set<String> live) {
    if (i == manifests.size()) {
      return Future.succeededFuture();
    }
    return db.queryOne("SELECT content FROM registry_documents WHERE digest = ?", manifests.get(i)).compose(row -> {
      row.ifPresent(r -> {
        JsonObject manifest = new JsonObject(new String(r.bytes("content"), StandardCharsets.UTF_8));
        live.add(manifest.getJsonObject("config").getString("digest"));
        manifest.getJsonArray("layers").forEach(l -> live.add(((JsonObject) l).getString("digest")));
      });
      return named(manifests, i + 1, live);
    });
  }
}
