package dev.cairn.castore;

import dev.cairn.db.Database;
import dev.cairn.db.Row;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Directories on the metadata database (SQLite or PostgreSQL). */
public final class SqlDirectoryService implements DirectoryService {
  private final Database db;

  public SqlDirectoryService(Database db) {
    this.db = db;
  }

  @Override
  public Future<B3Digest> put(DirectoryClosure closure) {
    Map<B3Digest, Directory> sent = closure.directories();
    return db.transaction(tx -> {
      long now = System.currentTimeMillis();
      List<Object[]> rows = new ArrayList<>();
      sent.forEach((digest, d) -> rows.add(new Object[] {digest.bytes(), d.encode(), now}));
      // Re-putting a stored directory refreshes its creation time: its uploader is about to
      // reference it, so garbage collection keeps it for another grace period.
      return tx.batch("INSERT INTO directories (digest, data, created_at) VALUES (?, ?, ?)"
          + " ON CONFLICT (digest) DO UPDATE SET created_at = excluded.created_at", rows);
    }).map(v -> closure.root().digest());
  }

  @Override
  public Future<Optional<Directory>> get(B3Digest digest) {
    return db.queryOne("SELECT data FROM directories WHERE digest = ?", (Object) digest.bytes())
        .map(row -> row.map(r -> Directory.decode(r.bytes("data"))));
  }

  @Override
  public Future<List<Directory>> getRecursive(B3Digest root) {
    List<Directory> out = new ArrayList<>();
    Set<B3Digest> seen = new HashSet<>();
    seen.add(root);
    return level(List.of(root), out, seen).map(v -> out);
  }

  /** One query per level of the tree: BFS order, each digest once. */
  private Future<Void> level(List<B3Digest> digests, List<Directory> out, Set<B3Digest> seen) {
    if (digests.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Object> params = new ArrayList<>();
    digests.forEach(d -> params.add(d.bytes()));
    String marks = String.join(", ", java.util.Collections.nCopies(digests.size(), "?"));
    return db.query("SELECT digest, data FROM directories WHERE digest IN (" + marks + ")", params.toArray()).compose(rows -> {
      Map<B3Digest, Directory> found = new HashMap<>();
      for (Row r : rows) {
        found.put(B3Digest.of(r.bytes("digest")), Directory.decode(r.bytes("data")));
      }
      List<B3Digest> next = new ArrayList<>();
      for (B3Digest d : digests) {
        Directory dir = found.get(d);
        if (dir == null) {
          continue;
        }
        out.add(dir);
        for (DirectoryNode child : dir.directories()) {
          if (seen.add(child.digest())) {
            next.add(child.digest());
          }
        }
      }
      return level(next, out, seen);
    });
  }
}
