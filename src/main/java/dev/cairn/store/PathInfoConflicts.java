package dev.cairn.store;

import dev.cairn.castore.Node;
import dev.cairn.db.Database;
import dev.cairn.db.InLists;
import dev.cairn.db.Row;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.NarInfo;
import dev.cairn.nix.Signature;
import dev.cairn.nix.StorePath;
import dev.cairn.users.User;
import io.vertx.core.Future;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The one store of Frankenbuild evidence about content (table {@code path_info_conflicts}; the
 * closure check also reads attestations and the reference graph): every claim of different
 * content for a stored path, with where it came from ({@link Source}), what differed and what was
 * offered. A writer's refused put is kept with who made it; an upstream cache's signed narinfo
 * claiming another NAR with the upstream's URL (once per path, upstream and claimed NAR hash).
 * Two sources disagreeing on one store path is exactly what the trust layer exists to surface,
 * so the claim is kept, not dropped.
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
   * upstream cache's URL for an upstream claim, {@code seenVia} the path whose pull-through
   * brought it up. {@code offeredNode}: an upload's root node; empty for an upstream claim (a
   * narinfo: its NAR is not fetched).
   */
  public record Claim(StorePath storePath, Source source, Optional<String> claimant, Optional<String> origin, Optional<StorePath> seenVia,
                      List<String> differences, Optional<Node> offeredNode, long offeredNarSize, Hash offeredNarSha256, List<StorePath> offeredReferences,
                      List<Signature> offeredSignatures, Optional<StorePath> offeredDeriver, Optional<String> offeredCa, long atMillis) {}

  /** A writer's refused put. */
  public Future<Void> record(PathInfoConflictException conflict, User claimant) {
    PathInfo o = conflict.offered();
    return db.update(INSERT, o.storePath().digest(), o.storePath().name(), Source.UPLOAD.wire(), claimant.id(), null, null,
        String.join(",", conflict.differences()), SqlPathInfoService.encodeNode(o.node()), o.narSize(), o.narSha256().bytes(),
        references(o.references()), signatures(o.signatures()), o.deriver().map(StorePath::baseName).orElse(null), o.ca().orElse(null),
        System.currentTimeMillis()).mapEmpty();
  }

  /**
   * Compares an upstream's narinfo for a path this store holds ({@code theirs}, its signatures
   * verified by the caller) with {@code ours}, and records it when it claims other NAR bytes
   * (NarHash or NarSize), seen while pulling {@code seenVia} from {@code upstreamUrl}; a claim
   * already recorded is not recorded twice. Answers whether the content differs.
   */
  public Future<Boolean> compareUpstream(PathInfo ours, NarInfo theirs, String upstreamUrl, StorePath seenVia) {
    List<String> differences = new java.util.ArrayList<>();
    if (ours.narSize() != theirs.narSize()) {
      differences.add("narinfo.nar_size");
    }
    if (!ours.narSha256().equals(theirs.narHash())) {
      differences.add("narinfo.nar_sha256");
    }
    if (differences.isEmpty()) {
      return Future.succeededFuture(false);
    }
    if (!ours.references().equals(theirs.references())) {
      differences.add("references");
    }
    if (!ours.deriver().equals(theirs.deriver())) {
      differences.add("narinfo.deriver");
    }
    if (!ours.ca().equals(theirs.ca())) {
      differences.add("narinfo.ca");
    }
    return db.update(INSERT + " ON CONFLICT (digest, origin, offered_nar_sha256) WHERE source = 'upstream' DO NOTHING",
        ours.storePath().digest(), ours.storePath().name(), Source.UPSTREAM.wire(), null, upstreamUrl, seenVia.baseName(),
        String.join(",", differences), null, theirs.narSize(), theirs.narHash().bytes(), references(theirs.references()),
        signatures(theirs.signatures()), theirs.deriver().map(StorePath::baseName).orElse(null), theirs.ca().orElse(null),
        System.currentTimeMillis()).map(n -> true);
  }

  private static final String INSERT = "INSERT INTO path_info_conflicts (digest, name, source, user_id, origin, seen_via, differences,"
      + " offered_node, offered_nar_size, offered_nar_sha256, offered_references, offered_signatures, offered_deriver, offered_ca, created_at)"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private static String references(List<StorePath> refs) {
    return String.join(" ", refs.stream().map(StorePath::baseName).toList());
  }

  private static String signatures(List<Signature> sigs) {
    return String.join("\n", sigs.stream().map(Signature::toString).toList());
  }

  private static final String SELECT = "SELECT c.digest, c.name, c.source, u.name AS claimant, c.origin, c.seen_via, c.differences, c.offered_node,"
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
        Optional.ofNullable(r.string("claimant")), Optional.ofNullable(r.string("origin")),
        Optional.ofNullable(r.string("seen_via")).map(StorePath::parseBaseName), List.of(r.string("differences").split(",")),
        r.isNull("offered_node") ? Optional.empty() : Optional.of(SqlPathInfoService.decodeNode(r.bytes("offered_node"))),
        r.getLong("offered_nar_size"),
        new Hash(HashAlgorithm.SHA256, r.bytes("offered_nar_sha256")),
        refs.isEmpty() ? List.of() : Arrays.stream(refs.split(" ")).map(StorePath::parseBaseName).toList(),
        sigs.isEmpty() ? List.of() : Arrays.stream(sigs.split("\n")).map(Signature::parse).toList(),
        Optional.ofNullable(r.string("offered_deriver")).map(StorePath::parseBaseName), Optional.ofNullable(r.string("offered_ca")),
        r.getLong("created_at"));
  }
}
