package dev.cairn.attest;

import dev.cairn.db.Database;
import dev.cairn.db.Row;
import dev.cairn.nix.StorePath;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/** Attestation and derivation rows as lila's API shows them: by output, by derivation, a builder's signature of a digest. */
final class AttestationReads {
  private final Database db;

  AttestationReads(Database db) {
    this.db = db;
  }

  /** An attestation row as lila's API shows it. */
  public record AttestationRow(long id, OutputPath path, long userId, String userName, long drvId, String drvIdent, String hash, String sig,
                               Long narSize, String sigStatus, long reports, long createdAt) {}

  private static final String ROW_SELECT = "SELECT a.id, o.path, a.user_id, u.name AS user_name, a.drv_id, d.ident, a.output_hash, a.output_sig,"
      + " a.nar_size, a.sig_status, a.reports, a.created_at FROM attestations a JOIN outputs o ON o.id = a.output_id"
      + " JOIN users u ON u.id = a.user_id JOIN derivations d ON d.id = a.drv_id ";

  private static AttestationRow row(Row r) {
    return new AttestationRow(r.getLong("id"), OutputPath.ofStored(r.string("path")), r.getLong("user_id"), r.string("user_name"),
        r.getLong("drv_id"), r.string("ident"), r.string("output_hash"), r.string("output_sig"), r.longOrNull("nar_size"),
        r.string("sig_status"), r.getLong("reports"), r.getLong("created_at"));
  }

  /** Revoked builders' rows stay for audit; reads show them only when asked. */
  private static String active(boolean includeRevoked) {
    return includeRevoked ? "" : " AND u.revoked_at IS NULL";
  }

  public Future<List<AttestationRow>> byOutput(OutputPath path, boolean includeRevoked) {
    return db.query(ROW_SELECT + "WHERE o.path = ?" + active(includeRevoked) + " ORDER BY a.id", path.fullPath()).map(rows -> rows.stream().map(AttestationReads::row).toList());
  }

  /** A page of an output's attestations in id order, after attestation id {@code after}. */
  public Future<List<AttestationRow>> byOutput(OutputPath path, long after, int limit, boolean includeRevoked) {
    return db.query(ROW_SELECT + "WHERE o.path = ? AND a.id > ?" + active(includeRevoked) + " ORDER BY a.id LIMIT ?", path.fullPath(), after, limit)
        .map(rows -> rows.stream().map(AttestationReads::row).toList());
  }

  public Future<List<AttestationRow>> byDerivation(DrvIdent drv, boolean includeRevoked) {
    return db.query(ROW_SELECT + "WHERE d.ident = ?" + active(includeRevoked) + " ORDER BY a.id", drv.value()).map(rows -> rows.stream().map(AttestationReads::row).toList());
  }

  public Future<Boolean> derivationExists(DrvIdent drv) {
    return db.queryOne("SELECT id FROM derivations WHERE ident = ?", drv.value()).map(Optional::isPresent);
  }

  public record DerivationRow(long id, String ident) {}

  /** A page of derivations in id order, after {@code after}. */
  public Future<List<DerivationRow>> derivations(long after, int limit) {
    return db.query("SELECT id, ident FROM derivations WHERE id > ? ORDER BY id LIMIT ?", after, limit)
        .map(rows -> rows.stream().map(r -> new DerivationRow(r.getLong("id"), r.string("ident"))).toList());
  }

  /**
   * The user's attestation of the output whose digest is {@code digest}, latest first: a store
   * path's hash part, or (lila's placeholders) the digest recorded in {@code placeholder_digest}.
   */
  public Future<Optional<AttestationRow>> signatureOf(long userId, String digest) {
    // The expressions match the outputs_hash_part index (V005) and outputs_placeholder_digest (V016).
    String where = dev.cairn.nix.Nixbase32.isValid(digest, StorePath.DIGEST_SIZE) && digest.length() == StorePath.HASH_CHARS
        ? "WHERE substr(o.path, 12, 32) = ?" : "WHERE o.placeholder_digest = ?";
    return db.queryOne(ROW_SELECT + where + " AND a.user_id = ? ORDER BY a.id DESC LIMIT 1", digest, userId)
        .map(r -> r.map(AttestationReads::row));
  }
}
