package dev.cairn.store.upstream;

import dev.cairn.db.Database;
import dev.cairn.db.Row;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.NarInfo;
import dev.cairn.nix.Signature;
import dev.cairn.nix.StorePath;
import dev.cairn.store.PathInfo;
import dev.cairn.store.StorePathDigest;
import io.vertx.core.Future;
import java.util.Arrays;
import java.util.List;

/**
 * Frankenbuild evidence from upstreams (table {@code upstream_disagreements}, V013): a trusted
 * upstream's signed narinfo claims a NAR for a path this store holds that differs from ours. The
 * hook Frankenbuild detection reads ({@link #of}); recorded once per path, upstream and claimed
 * NAR hash.
 */
public final class UpstreamDisagreements {
  private final Database db;

  public UpstreamDisagreements(Database db) {
    this.db = db;
  }

  /** One upstream's claim about a path we hold, seen while pulling {@code referrer} through. */
  public record Disagreement(StorePath storePath, String upstream, StorePath referrer, Hash ourNarSha256, long ourNarSize,
                             Hash upstreamNarSha256, long upstreamNarSize, List<StorePath> upstreamReferences,
                             List<Signature> upstreamSignatures, long atMillis) {}

  /** Records it when {@code theirs} (signature already verified) claims other NAR bytes than {@code ours}; else nothing. */
  Future<Boolean> compare(PathInfo ours, NarInfo theirs, Upstream upstream, StorePath referrer) {
    if (ours.narSha256().equals(theirs.narHash()) && ours.narSize() == theirs.narSize()) {
      return Future.succeededFuture(false);
    }
    return db.update("INSERT INTO upstream_disagreements (digest, name, upstream, referrer, our_nar_sha256, our_nar_size, upstream_nar_sha256,"
            + " upstream_nar_size, upstream_references, upstream_signatures, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (digest, upstream, upstream_nar_sha256) DO NOTHING",
        ours.storePath().digest(), ours.storePath().name(), upstream.toString(), referrer.baseName(), ours.narSha256().bytes(),
        ours.narSize(), theirs.narHash().bytes(), theirs.narSize(),
        String.join(" ", theirs.references().stream().map(StorePath::baseName).toList()),
        String.join("\n", theirs.signatures().stream().map(Signature::toString).toList()), System.currentTimeMillis())
        .map(n -> true);
  }

  /** What upstreams claimed about one path, oldest first. */
  public Future<List<Disagreement>> of(StorePathDigest digest) {
    return db.query("SELECT digest, name, upstream, referrer, our_nar_sha256, our_nar_size, upstream_nar_sha256, upstream_nar_size,"
            + " upstream_references, upstream_signatures, created_at FROM upstream_disagreements WHERE digest = ? ORDER BY id",
            (Object) digest.bytes())
        .map(rows -> rows.stream().map(UpstreamDisagreements::disagreement).toList());
  }

  private static Disagreement disagreement(Row r) {
    String refs = r.string("upstream_references");
    String sigs = r.string("upstream_signatures");
    return new Disagreement(new StorePath(r.bytes("digest"), r.string("name")), r.string("upstream"), StorePath.parseBaseName(r.string("referrer")),
        new Hash(HashAlgorithm.SHA256, r.bytes("our_nar_sha256")), r.getLong("our_nar_size"),
        new Hash(HashAlgorithm.SHA256, r.bytes("upstream_nar_sha256")), r.getLong("upstream_nar_size"),
        refs.isEmpty() ? List.of() : Arrays.stream(refs.split(" ")).map(StorePath::parseBaseName).toList(),
        sigs.isEmpty() ? List.of() : Arrays.stream(sigs.split("\n")).map(Signature::parse).toList(), r.getLong("created_at"));
  }
}
