package dev.cairn.store;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.cairn.castore.BlobService;
import dev.cairn.castore.DirectoryService;
import dev.cairn.castore.Node;
import dev.cairn.db.Database;
import dev.cairn.db.Row;
import dev.cairn.db.Sql;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.Signature;
import dev.cairn.nix.StorePath;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * PathInfos on the metadata database; root node contents checked against castore on put.
 * References are kept by name in order (for fingerprints) and by content: each reference's root
 * node, filled from the stored path of that name at put, and back-filled into paths stored
 * earlier when the referenced path arrives.
 */
public final class SqlPathInfoService implements PathInfoService {
  /** Concurrent signature merges into one path retry this often (each retry means another writer got in first). */
  private static final int MERGE_ATTEMPTS = 32;

  private final Database db;
  private final BlobService blobs;
  private final DirectoryService directories;
  private final List<Consumer<StorePathDigest>> changeListeners = new CopyOnWriteArrayList<>();

  public SqlPathInfoService(Database db, BlobService blobs, DirectoryService directories) {
    this.db = db;
    this.blobs = blobs;
    this.directories = directories;
  }

  /**
   * Calls {@code listener} after each committed change of a stored path: signatures merged into
   * it, or its deletion (a first insert changes nothing anyone could have read). Called on
   * whichever thread completed the change; must not block. What keeps derived data (a rendered
   * narinfo) from outliving the row it was made from, in this process.
   */
  public void onChange(Consumer<StorePathDigest> listener) {
    changeListeners.add(listener);
  }

  private void changed(StorePathDigest digest) {
    changeListeners.forEach(l -> l.accept(digest));
  }

  /** The stored encoding of a node (its tvix.castore.v1.Node protobuf), shared with garbage collection and pins. */
  public static byte[] encodeNode(Node node) {
    return node.toProto().toByteArray();
  }

  public static Node decodeNode(byte[] bytes) {
    try {
      return Node.fromProto(dev.cairn.grpc.proto.tvix.castore.v1.Node.parseFrom(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("stored node does not decode", e);
    }
  }

  @Override
  public Future<PathInfo> put(PathInfo info) {
    return RootContents.require(info.node(), blobs, directories).compose(v -> put(info, MERGE_ATTEMPTS));
  }

  private Future<PathInfo> put(PathInfo info, int attempts) {
    // Each attempt is a transaction of its own, so a retry sees the merge that got in first.
    return db.transaction(tx -> insertOrMerge(tx, info)).compose(done -> {
      if (done.isPresent()) {
        if (done.get().merged()) {
          changed(info.digest());
        }
        return Future.succeededFuture(done.get().info());
      }
      return attempts > 1 ? put(info, attempts - 1)
          : Future.failedFuture(new IllegalStateException("signatures of " + info.storePath() + " kept changing under " + MERGE_ATTEMPTS
              + " merges"));
    });
  }

  /**
   * Inserts a new path, or compares with the stored one: different content fails, new signatures
   * are merged by compare-and-set (empty: another writer merged first, try again).
   */
  private Future<Optional<Outcome>> insertOrMerge(Sql tx, PathInfo info) {
    byte[] digest = info.storePath().digest();
    byte[] node = encodeNode(info.node());
    // DO NOTHING: a concurrent put of the same path waits for ours, then compares with it.
    return tx.update("INSERT INTO path_infos (digest, name, node, nar_size, nar_sha256, signatures, deriver, ca, created_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING", digest, info.storePath().name(), node, info.narSize(),
            info.narSha256().bytes(), signatures(info), info.deriver().map(StorePath::baseName).orElse(null), info.ca().orElse(null),
            System.currentTimeMillis())
        .compose(inserted -> inserted > 0 ? insertReferences(tx, info, node).map(stored -> Optional.of(new Outcome(stored, false)))
            // Empty when deleted between the two statements: try again.
            : get(tx, info.digest()).compose(stored -> stored.isEmpty() ? Future.succeededFuture(Optional.empty()) : merge(tx, stored.get(), info)));
  }

  private Future<Optional<Outcome>> merge(Sql tx, PathInfo stored, PathInfo offered) {
    List<String> differences = stored.differencesFrom(offered);
    if (!differences.isEmpty()) {
      return Future.failedFuture(new PathInfoConflictException(stored, offered, differences));
    }
    PathInfo merged = stored.mergeSignatures(offered);
    if (merged == stored) {
      return Future.succeededFuture(Optional.of(new Outcome(stored, false)));
    }
    return tx.update("UPDATE path_infos SET signatures = ? WHERE digest = ? AND signatures = ?", signatures(merged),
            stored.storePath().digest(), signatures(stored))
        .map(n -> n > 0 ? Optional.of(new Outcome(merged, true)) : Optional.<Outcome>empty());
  }

  /** What a put stored; {@code merged}: a stored path gained signatures (a change readers may have cached the old state of). */
  private record Outcome(PathInfo info, boolean merged) {}

  private static String signatures(PathInfo info) {
    return String.join("\n", info.signatures().stream().map(Signature::toString).toList());
  }

  private static Future<PathInfo> insertReferences(Sql tx, PathInfo info, byte[] node) {
    byte[] digest = info.storePath().digest();
    return resolve(tx, info.references()).compose(resolved -> {
      List<Object[]> rows = new ArrayList<>();
      for (int i = 0; i < info.references().size(); i++) {
        StorePath ref = info.references().get(i);
        ReferenceNode rn = resolved.get(ref);
        rows.add(new Object[] {digest, i, ref.digest(), ref.name(), rn.node().map(SqlPathInfoService::encodeNode).orElse(null)});
      }
      return tx.batch("INSERT INTO path_references (referrer, position, reference_digest, reference_name, reference_node) VALUES (?, ?, ?, ?, ?)",
              rows)
          // Paths stored earlier that reference this one learn its content now.
          .compose(y -> tx.update("UPDATE path_references SET reference_node = ? WHERE reference_digest = ? AND reference_name = ?"
              + " AND reference_node IS NULL", node, digest, info.storePath().name()))
          .map(y -> info.withReferenceNodes(resolved));
    });
  }

  /** Each reference's node from the stored path of that name, or unknown. */
  private static Future<SortedMap<StorePath, ReferenceNode>> resolve(Sql sql, List<StorePath> refs) {
    SortedMap<StorePath, ReferenceNode> out = new TreeMap<>();
    refs.forEach(r -> out.put(r, ReferenceNode.UNKNOWN));
    Future<Void> chain = Future.succeededFuture();
    for (StorePath ref : out.keySet()) {
      chain = chain.compose(v -> sql.queryOne("SELECT node FROM path_infos WHERE digest = ? AND name = ?", ref.digest(), ref.name())
          .map(row -> {
            row.ifPresent(r -> out.put(ref, ReferenceNode.known(decodeNode(r.bytes("node")))));
            return null;
          }));
    }
    return chain.map(v -> out);
  }

  @Override
  public Future<Optional<PathInfo>> get(StorePathDigest digest) {
    return get(db, digest);
  }

  /**
   * The path and its references in one statement (one worker hop, one round trip): a row per
   * reference, or one row with null reference columns for a path without references.
   */
  private static Future<Optional<PathInfo>> get(Sql sql, StorePathDigest digest) {
    return sql.query("SELECT p.digest, p.name, p.node, p.nar_size, p.nar_sha256, p.signatures, p.deriver, p.ca,"
            + " r.reference_digest, r.reference_name, r.reference_node FROM path_infos p"
            + " LEFT JOIN path_references r ON r.referrer = p.digest WHERE p.digest = ? ORDER BY r.position", (Object) digest.bytes())
        .map(rows -> rows.isEmpty() ? Optional.<PathInfo>empty()
            : Optional.of(toPathInfo(rows.get(0), rows.get(0).isNull("reference_digest") ? List.of() : rows)));
  }

  @Override
  public Future<List<PathInfo>> list(Optional<StorePathDigest> after, int limit) {
    Future<List<Row>> rows = after.isPresent()
        ? db.query("SELECT digest, name, node, nar_size, nar_sha256, signatures, deriver, ca FROM path_infos WHERE digest > ? ORDER BY digest LIMIT ?",
            after.get().bytes(), limit)
        : db.query("SELECT digest, name, node, nar_size, nar_sha256, signatures, deriver, ca FROM path_infos ORDER BY digest LIMIT ?", limit);
    return rows.compose(list -> references(db, list).map(refs -> {
      List<PathInfo> out = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        out.add(toPathInfo(list.get(i), refs.get(i)));
      }
      return out;
    }));
  }

  /** The reference rows of each path row, in position order. */
  private static Future<List<List<Row>>> references(Sql sql, List<Row> paths) {
    List<Future<List<Row>>> all = new ArrayList<>();
    for (Row p : paths) {
      all.add(sql.query("SELECT reference_digest, reference_name, reference_node FROM path_references WHERE referrer = ? ORDER BY position",
          (Object) p.bytes("digest")));
    }
    return Future.all(all).map(f -> {
      List<List<Row>> out = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        out.add(f.resultAt(i));
      }
      return out;
    });
  }

  private static PathInfo toPathInfo(Row r, List<Row> refs) {
    StorePath path = new StorePath(r.bytes("digest"), r.string("name"));
    List<StorePath> references = new ArrayList<>();
    SortedMap<StorePath, ReferenceNode> nodes = new TreeMap<>();
    for (Row ref : refs) {
      StorePath rp = new StorePath(ref.bytes("reference_digest"), ref.string("reference_name"));
      references.add(rp);
      byte[] n = ref.bytes("reference_node");
      nodes.put(rp, n == null ? ReferenceNode.UNKNOWN : ReferenceNode.known(decodeNode(n)));
    }
    String sigs = r.string("signatures");
    List<Signature> signatures = sigs.isEmpty() ? List.of() : Arrays.stream(sigs.split("\n")).map(Signature::parse).toList();
    return new PathInfo(path, decodeNode(r.bytes("node")), r.getLong("nar_size"), new Hash(HashAlgorithm.SHA256, r.bytes("nar_sha256")),
        signatures, Optional.ofNullable(r.string("deriver")).map(StorePath::parseBaseName), Optional.ofNullable(r.string("ca")), references, nodes);
  }

  @Override
  public Future<Boolean> delete(StorePathDigest digest) {
    return db.transaction(tx -> tx.update("DELETE FROM path_references WHERE referrer = ?", (Object) digest.bytes())
        .compose(v -> tx.update("DELETE FROM path_infos WHERE digest = ?", (Object) digest.bytes())).map(n -> n > 0))
        .onSuccess(deleted -> {
          if (deleted) {
            changed(digest);
          }
        });
  }
}
