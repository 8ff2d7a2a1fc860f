package dev.cairn.store;

import dev.cairn.castore.Node;
import dev.cairn.db.Database;
import dev.cairn.db.Row;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.Signature;
import dev.cairn.nix.StorePath;
import dev.cairn.users.User;
import io.vertx.core.Future;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Frankenbuild evidence on the metadata database: every refused put of different content for a
 * stored path, with who offered it, what differed and what was offered. Two builders disagreeing
 * on one store path is exactly what the trust layer exists to surface, so the refused claim is
 * kept, not dropped.
 */
public final class PathInfoConflicts {
  private final Database db;

  public PathInfoConflicts(Database db) {
    this.db = db;
  }

  /** One refused claim. */
  public record Claim(StorePath storePath, String claimant, List<String> differences, Node offeredNode, long offeredNarSize,
                      Hash offeredNarSha256, List<StorePath> offeredReferences, List<Signature> offeredSignatures,
                      Optional<StorePath> offeredDeriver, Optional<String> offeredCa, long atMillis) {}

  public Future<Void> record(PathInfoConflictException conflict, User claimant) {
    PathInfo o = conflict.offered();
    return db.update("INSERT INTO path_info_conflicts (digest, name, user_id, differences, offered_node, offered_nar_size, offered_nar_sha256,"
            + " offered_references, offered_signatures, offered_deriver, offered_ca, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        o.storePath().digest(), o.storePath().name(), claimant.id(), String.join(",", conflict.differences()),
        SqlPathInfoService.encodeNode(o.node()), o.narSize(), o.narSha256().bytes(),
        String.join(" ", o.references().stream().map(StorePath::baseName).toList()),
        String.join("\n", o.signatures().stream().map(Signature::toString).toList()),
        o.deriver().map(StorePath::baseName).orElse(null), o.ca().orElse(null), System.currentTimeMillis()).mapEmpty();
  }

  /** The refused claims for one path, oldest first. */
  public Future<List<Claim>> of(StorePathDigest digest) {
    return db.query("SELECT c.digest, c.name, u.name AS claimant, c.differences, c.offered_node, c.offered_nar_size, c.offered_nar_sha256,"
            + " c.offered_references, c.offered_signatures, c.offered_deriver, c.offered_ca, c.created_at"
            + " FROM path_info_conflicts c JOIN users u ON u.id = c.user_id WHERE c.digest = ? ORDER BY c.id", (Object) digest.bytes())
        .map(rows -> rows.stream().map(PathInfoConflicts::claim).toList());
  }

  private static Claim claim(Row r) {
    String refs = r.string("offered_references");
    String sigs = r.string("offered_signatures");
    return new Claim(new StorePath(r.bytes("digest"), r.string("name")), r.string("claimant"), List.of(r.string("differences").split(",")),
        SqlPathInfoService.decodeNode(r.bytes("offered_node")), r.getLong("offered_nar_size"),
        new Hash(HashAlgorithm.SHA256, r.bytes("offered_nar_sha256")),
        refs.isEmpty() ? List.of() : Arrays.stream(refs.split(" ")).map(StorePath::parseBaseName).toList(),
        sigs.isEmpty() ? List.of() : Arrays.stream(sigs.split("\n")).map(Signature::parse).toList(),
        Optional.ofNullable(r.string("offered_deriver")).map(StorePath::parseBaseName), Optional.ofNullable(r.string("offered_ca")),
        r.getLong("created_at"));
  }
}
