package dev.cairn.cache;

import dev.cairn.castore.NarIngester;
import dev.cairn.castore.PathComponent;
import dev.cairn.db.Database;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.store.SqlPathInfoService;
import dev.cairn.users.User;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Optional;

/**
 * NARs uploaded with {@code PUT /nar/…} waiting for their narinfo, keyed by the sha256 of the
 * file as uploaded (the FileHash the narinfo will carry). Kept in the database so the narinfo
 * may reach another replica than the NAR did. The same file uploaded again replaces the row
 * (Nix retries; the content is the same by its hash).
 *
 * <p>A pending row is no GC root: its blobs and directories are protected only by the garbage
 * collection grace period. So a row is usable for {@code lifetime} from the start of its upload
 * (every blob it names was written after that) only, which must be shorter than that grace (the
 * capability gives half of it): a narinfo never binds to content a collection may already have
 * taken, and an abandoned upload leaves nothing a collection keeps.
 * Expired rows are deleted whenever a NAR is put (Nix sends the narinfo right after its NAR).
 */
final class PendingNars {
  /**
   * An ingested root is unnamed, and a stored node must have a name: it is kept under this one
   * until the narinfo names it after its store path.
   */
  private static final PathComponent UNBOUND = PathComponent.of("unbound".getBytes(java.nio.charset.StandardCharsets.UTF_8));

  private final Database db;
  private final Duration lifetime;

  PendingNars(Database db, Duration lifetime) {
    this.db = db;
    this.lifetime = lifetime;
  }

  /** How long a pending NAR waits for its narinfo. */
  Duration lifetime() {
    return lifetime;
  }

  /** {@code uploadStartedMillis}: when the upload began, before any of its blobs was written. */
  Future<Void> put(Hash fileSha256, NarIngester.Result nar, User uploader, long uploadStartedMillis) {
    return removeExpired().compose(v -> db.update("INSERT INTO cache_pending_nars (file_sha256, node, nar_size, nar_sha256, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (file_sha256) DO UPDATE SET node = excluded.node, nar_size = excluded.nar_size,"
            + " nar_sha256 = excluded.nar_sha256, user_id = excluded.user_id, created_at = excluded.created_at",
        fileSha256.bytes(), SqlPathInfoService.encodeNode(nar.root().withName(UNBOUND)), nar.narSize(), nar.narSha256().bytes(), uploader.id(),
        uploadStartedMillis)).mapEmpty();
  }

  /** Deletes the rows past their lifetime (their content is left to garbage collection). */
  Future<Void> removeExpired() {
    return db.update("DELETE FROM cache_pending_nars WHERE created_at < ?", expiredBefore()).mapEmpty();
  }

  Future<Optional<NarIngester.Result>> get(Hash fileSha256) {
    return db.queryOne("SELECT node, nar_size, nar_sha256 FROM cache_pending_nars WHERE file_sha256 = ? AND created_at >= ?",
            fileSha256.bytes(), expiredBefore())
        .map(row -> row.map(r -> new NarIngester.Result(SqlPathInfoService.decodeNode(r.bytes("node")),
            new Hash(HashAlgorithm.SHA256, r.bytes("nar_sha256")), r.getLong("nar_size"))));
  }

  private long expiredBefore() {
    return System.currentTimeMillis() - lifetime.toMillis();
  }

  /** Forgets a NAR once its narinfo stored it (its PathInfo now keeps the blobs). */
  Future<Void> remove(Hash fileSha256) {
    return db.update("DELETE FROM cache_pending_nars WHERE file_sha256 = ?", (Object) fileSha256.bytes()).mapEmpty();
  }
}
