package dev.cairn.store.gc;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.Directory;
import dev.cairn.castore.DirectoryNode;
import dev.cairn.castore.FileNode;
import dev.cairn.castore.Node;
import dev.cairn.db.Database;
import dev.cairn.db.Row;
import dev.cairn.store.SqlPathInfoService;
import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The mark phase: every directory and blob reachable from a root. Roots are the root node of
 * every PathInfo, the content of every reference a PathInfo holds by content (so a path's
 * closure stays whole while the path exists, even when a referenced PathInfo is deleted), and
 * every pin, the blob of every build log the binary cache keeps ({@code cache_build_logs}) and
 * of every compressed registry layer ({@code registry_compressed_layers}).
 * Roots are read in pages and their trees walked level by level, one query per
 * {@link InList#MAX} directories; a directory already marked is not walked again, so subtrees
 * shared by many paths cost one visit.
 *
 * <p>Memory: the two {@link DigestSet}s (16–32 bytes per reachable directory and blob, e.g.
 * about 250 MB for ten million) plus one page of roots and the unvisited frontier of their
 * trees. Nothing else of the store is held.
 */
final class Marker {
  private final Database db;
  private final Checkpoint checkpoint;

  Marker(Database db, Checkpoint checkpoint) {
    this.db = db;
    this.checkpoint = checkpoint;
  }

  Future<Marks> mark() {
    Marks marks = Marks.empty();
    return pathRoots(marks, new byte[0])
        .compose(v -> referenceRoots(marks, new byte[0], -1))
        .compose(v -> pinRoots(marks, ""))
        .compose(v -> buildLogRoots(marks, ""))
        .compose(v -> compressedLayerRoots(marks, "", ""))
        .map(marks);
  }

  private Future<Void> pathRoots(Marks marks, byte[] after) {
    return checkpoint.check()
        .compose(v -> db.query("SELECT digest, node FROM path_infos WHERE digest > ? ORDER BY digest LIMIT ?", after, InList.MAX))
        .compose(rows -> walk(marks, nodes(rows, "node")).compose(v -> rows.size() < InList.MAX ? Future.succeededFuture()
            : pathRoots(marks, rows.get(rows.size() - 1).bytes("digest"))));
  }

  private Future<Void> referenceRoots(Marks marks, byte[] afterReferrer, long afterPosition) {
    return checkpoint.check()
        .compose(v -> db.query("SELECT referrer, position, reference_node FROM path_references"
            + " WHERE reference_node IS NOT NULL AND (referrer > ? OR (referrer = ? AND position > ?))"
            + " ORDER BY referrer, position LIMIT ?", afterReferrer, afterReferrer, afterPosition, InList.MAX))
        .compose(rows -> walk(marks, nodes(rows, "reference_node")).compose(v -> {
          if (rows.size() < InList.MAX) {
            return Future.succeededFuture();
          }
          Row last = rows.get(rows.size() - 1);
          return referenceRoots(marks, last.bytes("referrer"), last.getLong("position"));
        }));
  }

  private Future<Void> pinRoots(Marks marks, String after) {
    return checkpoint.check()
        .compose(v -> db.query("SELECT name, node FROM gc_pins WHERE name > ? ORDER BY name LIMIT ?", after, InList.MAX))
        .compose(rows -> walk(marks, nodes(rows, "node")).compose(v -> rows.size() < InList.MAX ? Future.succeededFuture()
            : pinRoots(marks, rows.get(rows.size() - 1).string("name"))));
  }

  /** Build logs of the binary cache (V015): blobs, nothing below them. */
  private Future<Void> buildLogRoots(Marks marks, String after) {
    return checkpoint.check()
        .compose(v -> db.query("SELECT drv, blob FROM cache_build_logs WHERE drv > ? ORDER BY drv LIMIT ?", after, InList.MAX))
        .compose(rows -> {
          rows.forEach(r -> marks.blobs().add(B3Digest.of(r.bytes("blob"))));
          return rows.size() < InList.MAX ? Future.succeededFuture() : buildLogRoots(marks, rows.get(rows.size() - 1).string("drv"));
        });
  }

  /** Compressed registry layers (V022): blobs, nothing below them; the row's sweep frees them. */
  private Future<Void> compressedLayerRoots(Marks marks, String afterKey, String afterCompression) {
    return checkpoint.check()
        .compose(v -> db.query("SELECT layer_key, compression, blob FROM registry_compressed_layers"
            + " WHERE layer_key > ? OR (layer_key = ? AND compression > ?) ORDER BY layer_key, compression LIMIT ?",
            afterKey, afterKey, afterCompression, InList.MAX))
        .compose(rows -> {
          rows.forEach(r -> marks.blobs().add(B3Digest.of(r.bytes("blob"))));
          if (rows.size() < InList.MAX) {
            return Future.succeededFuture();
          }
          Row last = rows.get(rows.size() - 1);
          return compressedLayerRoots(marks, last.string("layer_key"), last.string("compression"));
        });
  }

  private static List<Node> nodes(List<Row> rows, String column) {
    List<Node> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      out.add(SqlPathInfoService.decodeNode(r.bytes(column)));
    }
    return out;
  }

  /** Marks {@code roots} and everything below them. */
  private Future<Void> walk(Marks marks, List<Node> roots) {
    ArrayDeque<B3Digest> frontier = new ArrayDeque<>();
    for (Node n : roots) {
      visit(marks, n, frontier);
    }
    return drain(marks, frontier);
  }

  private static void visit(Marks marks, Node node, ArrayDeque<B3Digest> frontier) {
    if (node instanceof DirectoryNode d) {
      if (marks.directories().add(d.digest())) {
        frontier.add(d.digest());
      }
    } else if (node instanceof FileNode f) {
      marks.blobs().add(f.digest());
    }
  }

  private Future<Void> drain(Marks marks, ArrayDeque<B3Digest> frontier) {
    if (frontier.isEmpty()) {
      return Future.succeededFuture();
    }
    List<B3Digest> batch = new ArrayList<>();
    while (!frontier.isEmpty() && batch.size() < InList.MAX) {
      batch.add(frontier.poll());
    }
    return checkpoint.check()
        .compose(v -> db.query("SELECT data FROM directories WHERE digest IN " + InList.of(batch.size()), InList.params(batch)))
        .compose(rows -> {
          // A directory named by a node but absent from the table has nothing below it to keep.
          for (Row r : rows) {
            for (Node child : Directory.decode(r.bytes("data")).nodes()) {
              visit(marks, child, frontier);
            }
          }
          return drain(marks, frontier);
        });
  }
}
