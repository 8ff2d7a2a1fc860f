package dev.cairn.cache;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.BlobService;
import dev.cairn.castore.BlobWriter;
import dev.cairn.db.Database;
import dev.cairn.db.Row;
import dev.cairn.nix.StorePath;
import dev.cairn.validation.ValidationException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Optional;

/**
 * Build logs, one per derivation (table {@code cache_build_logs}, V015): the bytes are a castore
 * blob (deduplicated and chunked like any file), the table maps the derivation's basename to it.
 * The GC marker keeps every blob named here. A new upload for a derivation replaces the old
 * mapping (a rebuild's log); the old blob is then garbage like any unreferenced one.
 */
final class BuildLogs {
  /** A piece handed to the blob writer at a time: the writer's back-pressure is per piece. */
  private static final int PIECE = 1 << 20;

  /** A stored log: its blob and size. */
  record StoredLog(B3Digest blob, long size) {}

  private final Database db;
  private final BlobService blobs;

  BuildLogs(Database db, BlobService blobs) {
    this.db = db;
    this.blobs = blobs;
  }

  /** The derivation a log belongs to: a store path basename ending in {@code .drv}. */
  static StorePath drv(String baseName) {
    StorePath path = StorePath.parseBaseName(baseName);
    if (!path.name().endsWith(".drv")) {
      throw new ValidationException("drv", "a log belongs to a derivation, whose name ends in .drv: \"" + path.name() + "\"");
    }
    return path;
  }

  Future<StoredLog> put(StorePath drv, Buffer log) {
    BlobWriter writer = blobs.put();
    return write(writer, log, 0).compose(v -> writer.close(), e -> writer.abort().transform(x -> Future.failedFuture(e)))
        .compose(digest -> db.update("INSERT INTO cache_build_logs (drv, blob, size, created_at) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (drv) DO UPDATE SET blob = excluded.blob, size = excluded.size, created_at = excluded.created_at",
            drv.baseName(), digest.bytes(), (long) log.length(), System.currentTimeMillis())
            .map(n -> new StoredLog(digest, log.length())));
  }

  private static Future<Void> write(BlobWriter writer, Buffer log, int from) {
    if (from >= log.length()) {
      return Future.succeededFuture();
    }
    int to = Math.min(log.length(), from + PIECE);
    return writer.write(log.slice(from, to)).compose(v -> write(writer, log, to));
  }

  Future<Optional<StoredLog>> get(StorePath drv) {
    return db.query("SELECT blob, size FROM cache_build_logs WHERE drv = ?", drv.baseName()).map(BuildLogs::first);
  }

  private static Optional<StoredLog> first(List<Row> rows) {
    return rows.stream().findFirst().map(r -> new StoredLog(B3Digest.of(r.bytes("blob")), r.getLong("size")));
  }
}
