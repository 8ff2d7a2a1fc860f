package dev.cairn.store;

import dev.cairn.castore.Node;
import dev.cairn.db.Database;
import dev.cairn.db.InLists;
import dev.cairn.db.Row;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.StorePath;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The reference edges of stored paths, read a page of referrers at a time (one query per
 * {@value #PAGE} referrers), each edge with both sides of "by content": the reference's node as
 * recorded when the referrer was stored (what it was built against) and the path this store
 * holds under the reference's name now. Closure walks (Frankenbuild checks) read the graph
 * through this, never a PathInfo at a time.
 */
public final class ReferenceGraph {
  /** Referrers per query (far below SQLite's and PostgreSQL's parameter limits). */
  public static final int PAGE = InLists.MAX;

  private final Database db;

  public ReferenceGraph(Database db) {
    this.db = db;
  }

  /** What this store holds for a store path: its root node and NAR hash. */
  public record Held(Node node, Hash narSha256) {}

  /** {@code referrer} refers to {@code reference}; {@code recorded}: its node when the referrer was stored; {@code held}: now. */
  public record Edge(StorePath referrer, StorePath reference, ReferenceNode recorded, Optional<Held> held) {}

  /** What this store holds for each of {@code paths} (absent ones are left out), by digest. */
  public Future<java.util.Map<StorePathDigest, Held>> held(Collection<StorePathDigest> paths) {
    return inPages(paths, "SELECT digest, node, nar_sha256 FROM path_infos WHERE digest IN ").map(rows -> {
      java.util.Map<StorePathDigest, Held> out = new java.util.HashMap<>();
      for (Row r : rows) {
        out.put(new StorePathDigest(r.bytes("digest")), new Held(SqlPathInfoService.decodeNode(r.bytes("node")),
            new Hash(HashAlgorithm.SHA256, r.bytes("nar_sha256"))));
      }
      return out;
    });
  }

  /** Every reference edge out of {@code referrers}, in referrer and position order within a page. */
  public Future<List<Edge>> edgesOf(Collection<StorePathDigest> referrers) {
    return inPages(referrers, "SELECT p.name AS referrer_name, r.referrer, r.reference_digest, r.reference_name, r.reference_node,"
        + " h.node AS held_node, h.nar_sha256 AS held_nar_sha256 FROM path_references r JOIN path_infos p ON p.digest = r.referrer"
        + " LEFT JOIN path_infos h ON h.digest = r.reference_digest AND h.name = r.reference_name WHERE r.referrer IN ")
        .map(rows -> rows.stream().map(ReferenceGraph::edge).toList());
  }

  private Future<List<Row>> inPages(Collection<StorePathDigest> digests, String prefix) {
    return InLists.query(db, prefix, digests.stream().map(d -> (Object) d.bytes()).toList());
  }

  private static Edge edge(Row r) {
    byte[] recorded = r.bytes("reference_node");
    byte[] heldNode = r.bytes("held_node");
    return new Edge(new StorePath(r.bytes("referrer"), r.string("referrer_name")),
        new StorePath(r.bytes("reference_digest"), r.string("reference_name")),
        recorded == null ? ReferenceNode.UNKNOWN : ReferenceNode.known(SqlPathInfoService.decodeNode(recorded)),
        heldNode == null ? Optional.empty()
            : Optional.of(new Held(SqlPathInfoService.decodeNode(heldNode), new Hash(HashAlgorithm.SHA256, r.bytes("held_nar_sha256")))));
  }
}
