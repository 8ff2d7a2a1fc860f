package dev.cairn.store.gc;

import dev.cairn.castore.Node;
import dev.cairn.db.Database;
import dev.cairn.db.Row;
import dev.cairn.nix.StorePath;
import dev.cairn.store.PathInfoService;
import dev.cairn.store.SqlPathInfoService;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Named garbage-collection roots (table {@code gc_pins}). A pin records the store path and its
 * root node at pin time, so the content stays even when the PathInfo is deleted later. Pinning
 * an existing name moves the pin.
 */
public final class Pins {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  public record Pin(String name, StorePath storePath, Node node, long createdAtMillis) {}

  private final Database db;
  private final PathInfoService pathInfos;

  public Pins(Database db, PathInfoService pathInfos) {
    this.db = db;
    this.pathInfos = pathInfos;
  }

  /** Fails with {@link IllegalArgumentException} for a bad name or a path this store does not hold. */
  public Future<Pin> pin(String name, StorePath path) {
    if (!NAME.matcher(name).matches()) {
      return Future.failedFuture(new IllegalArgumentException("pin name must be 1..128 of [A-Za-z0-9._-], got \"" + name + "\""));
    }
    return pathInfos.get(dev.cairn.store.StorePathDigest.of(path)).compose(found -> {
      if (found.isEmpty() || !found.get().storePath().equals(path)) {
        return Future.failedFuture(new IllegalArgumentException(path.fullPath() + " is not in the store"));
      }
      Pin pin = new Pin(name, path, found.get().node(), System.currentTimeMillis());
      return db.update("INSERT INTO gc_pins (name, store_path, node, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE"
              + " SET store_path = excluded.store_path, node = excluded.node, created_at = excluded.created_at",
          name, path.fullPath(), SqlPathInfoService.encodeNode(pin.node()), pin.createdAtMillis()).map(pin);
    });
  }

  /** True when a pin of that name existed. */
  public Future<Boolean> unpin(String name) {
    return db.update("DELETE FROM gc_pins WHERE name = ?", name).map(n -> n > 0);
  }

  public Future<List<Pin>> list() {
    return db.query("SELECT name, store_path, node, created_at FROM gc_pins ORDER BY name").map(rows -> {
      List<Pin> out = new ArrayList<>(rows.size());
      for (Row r : rows) {
        out.add(new Pin(r.string("name"), StorePath.parse(r.string("store_path")), SqlPathInfoService.decodeNode(r.bytes("node")),
            r.getLong("created_at")));
      }
      return out;
    });
  }
}
