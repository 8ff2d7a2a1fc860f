package dev.cairn.store;

import dev.cairn.castore.Node;
import dev.cairn.db.Database;
import dev.cairn.db.InLists;
import dev.cairn.db.Row;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.Signature;
import dev.cairn.nix.StorePath;
import dev.cairn.users.User;
import io.vertx.core.Future;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Frankenbuild evidence on the metadata database: every claim of different content for a stored
 * path, with where it came from ({@link Source}), what differed and what was offered. A writer's
 * refused put is kept with who made it; an upstream cache's differing narinfo with the
 * upstream's URL. Two sources disagreeing on one store path is exactly what the trust layer
 * exists to surface, so the claim is kept, not dropped.
 */
public final class PathInfoConflicts {
  private final Database db;

  public PathInfoConflicts(Database db) {
    this.db = db;
  }

  /** Where a differing claim came from; the stored and JSON spelling is {@link #wire}. */
  public enum Source {
    UPLOAD("upload"),
    UPSTREAM("upstream");

    private final String wire;

    Source(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    static Source ofWire(String s) {
      return Arrays.stream(values()).filter(v -> v.wire.equals(s)).findFirst()
          .orElseThrow(() -> new IllegalStateException("path_info_conflicts.source: unknown " + s));
    }
  }

  /**
   * One differing claim. {@code claimant}: the writer's name for an upload; {@code origin}: the
   * upstream cache's URL for an upstream claim.
   */
  public record Claim(StorePath storePath, Source source, Optional<String> claimant, Optional<String> origin, List<String> differences,
                      Node offeredNode, long offeredNarSize, Hash offeredNarSha256, List<StorePath> offeredReferences,
                      List<Signature> offeredSignatures, Optional<StorePath> offeredDeriver, Optional<String> offeredCa, long atMillis) {}

  /** A writer's refused put. */
  public Future<Void> record(PathInfoConflictException conflict, User claimant) {
    return insert(conflict.offered(), conflict.differences(), Source.UPLOAD, claimant.id(), null);
  }

  /**
   * An upstream cache's narinfo for a path this store holds with other content ({@code
   * differences} as {@link PathInfo#differencesFrom} names them); {@code upstreamUrl} says which
   * cache.
   */
  public Future<Void> recordUpstream(PathInfo offered, List<String> differences, String upstreamUrl) {
    return insert(offered, differences, Source.UPSTREAM, null, upstreamUrl);
  }

  private Future<Void> insert(PathInfo o, List<String> differences, Source source, Long userId, String origin) {
    return db.update("INSERT INTO path_info_conflicts (digest, name, source, user_id, origin, differences, offered_node, offered_nar_size,"
            + " offered_nar_sha256, offered_references, offered_signatures, offered_deriver, offered_ca, created_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        o.storePath().digest(), o.storePath().name(), source.wire(), userId, origin, String.join(",", differences),
        SqlPathInfoService.encodeNode(o.node()), o.narSize(), o.narSha256().bytes(),
        String.join(" ", o.references().stream().map(StorePath::baseName).toList()),
        String.join("\n", o.signatures().stream().map(Signature::toString).toList()),
        o.deriver().map(StorePath::baseName).orElse(null), o.ca().orElse(null), System.currentTimeMillis()).mapEmpty();
  }

  private static final String SELECT = "SELECT c.digest, c.name, c.source, u.name AS claimant, c.origin, c.differences, c.offered_node,"
      + " c.offered_nar_size, c.offered_nar_sha256, c.offered_references, c.offered_signatures, c.offered_deriver, c.offered_ca, c.created_at"
      + " FROM path_info_conflicts c LEFT JOIN users u ON u.id = c.user_id WHERE c.digest ";

  /** The claims for one path, oldest first. */
  public Future<List<Claim>> of(StorePathDigest digest) {
    return db.query(SELECT + "= ? ORDER BY c.id", (Object) digest.bytes()).map(rows -> rows.stream().map(PathInfoConflicts::claim).toList());
  }

  /** The claims for any of {@code digests}, oldest first for each path. */
  public Future<List<Claim>> of(Collection<StorePathDigest> digests) {
    return InLists.query(db, SELECT + "IN ", digests.stream().map(d -> (Object) d.bytes()).toList(), " ORDER BY c.id")
        .map(rows -> rows.stream().map(PathInfoConflicts::claim).toList());
  }

  private static Claim claim(Row r) {
    String refs = r.string("offered_references");
    String sigs = r.string("offered_signatures");
    return new Claim(new StorePath(r.bytes("digest"), r.string("name")), Source.ofWire(r.string("source")),
        Optional.ofNullable(r.string("claimant")), Optional.ofNullable(r.string("origin")), List.of(r.string("differences").split(",")),
        SqlPathInfoService.decodeNode(r.bytes("offered_node")), r.getLong("offered_nar_size"),
        new Hash(HashAlgorithm.SHA256, r.bytes("offered_nar_sha256")),
        refs.isEmpty() ? List.of() : Arrays.stream(refs.split(" ")).map(StorePath::parseBaseName).toList(),
        sigs.isEmpty() ? List.of() : Arrays.stream(sigs.split("\n")).map(Signature::parse).toList(),
        Optional.ofNullable(r.string("offered_deriver")).map(StorePath::parseBaseName), Optional.ofNullable(r.string("offered_ca")),
        r.getLong("created_at"));
  }
}
