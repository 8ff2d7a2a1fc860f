package dev.cairn.attest;

import dev.cairn.db.Database;
import dev.cairn.nix.NarInfo;
import dev.cairn.nix.PublicKey;
import dev.cairn.nix.Signature;
import dev.cairn.nix.StorePath;
import dev.cairn.server.http.ClientError;
import dev.cairn.users.User;
import dev.cairn.validation.ValidationException;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Writes attestations: signatures checked, then small writes (lila POSTs, batches up to
 * {@code attest.batch_transaction_rows}) grouped by {@link GroupCommit} and larger batches
 * staged by {@link StagedBatch}. Derivation and output ids come from {@link RowIds}; when all
 * of them are known, a group is one statement (PostgreSQL) or one per 1,000 rows (SQLite).
 */
final class AttestationWriter {
  private final Database db;
  private final AttestSql sql;
  private final RowIds ids;
  private final Cpu cpu;
  private final InputLimits limits;
  private final GroupCommit<Prepared> groupCommit;
  private final StagedBatch staged;

  AttestationWriter(Database db, AttestSql sql, RowIds ids, Cpu cpu, InputLimits limits) {
    this.db = db;
    this.sql = sql;
    this.ids = ids;
    this.cpu = cpu;
    this.limits = limits;
    // Two writes in flight keep PostgreSQL's pool busy; SQLite serialises them anyway.
    this.groupCommit = new GroupCommit<>(this::write, Prepared::rowCount, Math.max(5_000, limits.batchTransactionRows()), 2);
    this.staged = new StagedBatch(db, sql, limits.batchTransactionRows());
  }

  /** A signature that does not verify under any of the builder's keys. */
  static final class InvalidSignatureException extends ValidationException implements ClientError {
    InvalidSignatureException(String rule) {
      super("output_sig", rule, "output_sig " + rule, null);
    }

    @Override
    public int httpStatus() {
      return 400;
    }
  }

  /**
   * All entries or none; posting the same entries again changes nothing unless {@code counted}
   * (lila's POST), where a repeat adds to the row's {@code reports}. Returns the number of
   * outputs taken.
   */
  Future<Integer> ingest(User user, List<AttestationService.Entry> entries, boolean counted) {
    boolean needKeys = false;
    int rows = 0;
    for (AttestationService.Entry e : entries) {
      for (OutputAttestation o : e.outputs()) {
        needKeys |= checkable(o);
        rows++;
      }
    }
    Future<List<SigStatus>> checked = needKeys
        // Ed25519 verification of a large batch is CPU work: off the event loop.
        ? KeyRegistry.keysOf(db, user.id()).compose(keys -> cpu.run(() -> verifyAll(user, entries, keys)))
        : Future.succeededFuture(unverified(rows));
    return checked.compose(statuses -> {
      if (statuses.size() > limits.batchTransactionRows()) {
        // Too large for one short transaction: written in parts, published at once (StagedBatch).
        return staged.write(user.id(), entries, statuses).map(v -> statuses.size());
      }
      Prepared prepared = new Prepared(user, entries, statuses, counted);
      return groupCommit.submit(prepared).map(v -> prepared.rowCount());
    });
  }

  private static List<SigStatus> unverified(int n) {
    return java.util.Collections.nCopies(n, SigStatus.UNVERIFIED);
  }

  private static List<SigStatus> verifyAll(User user, List<AttestationService.Entry> entries, List<PublicKey> keys) {
    List<SigStatus> statuses = new ArrayList<>();
    for (AttestationService.Entry e : entries) {
      for (OutputAttestation o : e.outputs()) {
        statuses.add(verify(user, o, keys));
      }
    }
    return statuses;
  }

  static String refsText(OutputAttestation o) {
    return o.references().map(r -> r.stream().map(StorePath::fullPath).collect(Collectors.joining(" "))).orElse(null);
  }

  /** A request's attestations, checked and ready to write. */
  private record Prepared(User user, List<AttestationService.Entry> entries, List<SigStatus> statuses, boolean counted) {
    int rowCount() {
      return statuses.size();
    }
  }

  /**
   * The attestation rows of a group, {user, drv, output, hash, sig, nar_size, refs, sig_status,
   * reports}: batches' rows as they come (a repeat is a no-op); lila POSTs' rows merged by
   * (user, output, hash) with their counts summed, since one upsert statement may not touch a
   * row twice; and the placeholder outputs among them, to be marked as such.
   */
  private record Rows(List<Object[]> plain, List<Object[]> counted, Map<String, String> placeholders) {
    int size() {
      return plain.size() + counted.size();
    }
  }

  private static Rows rows(List<Prepared> batch, Map<String, Long> drvIds, Map<String, Long> outIds) {
    List<Object[]> plain = new ArrayList<>();
    Map<String, Object[]> counted = new TreeMap<>();
    Map<String, String> placeholders = new TreeMap<>();
    for (Prepared p : batch) {
      int j = 0;
      for (AttestationService.Entry e : p.entries()) {
        for (OutputAttestation o : e.outputs()) {
          Object[] row = {p.user().id(), drvIds.get(e.drv().value()), outIds.get(o.path().fullPath()), o.hash().text(), o.signatureText(),
              o.narSize().orElse(null), refsText(o), p.statuses().get(j++).dbValue(), 1L};
          if (!o.path().isStorePath()) {
            placeholders.put(o.path().fullPath(), o.path().hashPart());
          }
          if (!p.counted()) {
            plain.add(row);
            continue;
          }
          Object[] held = counted.putIfAbsent(row[0] + " " + row[2] + " " + row[3], row);
          if (held != null) {
            held[8] = (Long) held[8] + 1;
          }
        }
      }
    }
    return new Rows(plain, new ArrayList<>(counted.values()), placeholders);
  }

  /**
   * Writes the attestations of several requests together: their rows commit together or not
   * at all. The ids of derivations and of outputs are independent autocommit statements on two
   * tables (side by side on two PostgreSQL connections); when the rows then fit one statement,
   * it needs no explicit transaction.
   */
  private Future<Void> write(List<Prepared> batch) {
    long now = System.currentTimeMillis();
    Set<String> drvs = new LinkedHashSet<>();
    Set<String> paths = new LinkedHashSet<>();
    for (Prepared p : batch) {
      for (AttestationService.Entry e : p.entries()) {
        drvs.add(e.drv().value());
        e.outputs().forEach(o -> paths.add(o.path().fullPath()));
      }
    }
    Future<Map<String, Long>> drvIds = ids.derivations(db, drvs, now);
    Future<Map<String, Long>> outIds = ids.outputs(db, paths, now);
    return Future.all(drvIds, outIds).compose(both -> {
      Rows rows = rows(batch, drvIds.result(), outIds.result());
      if (rows.placeholders().isEmpty() && (rows.plain().isEmpty() || rows.counted().isEmpty()) && sql.oneStatement(rows.size())) {
        boolean counted = rows.plain().isEmpty();
        return sql.insertAttestations(db, counted ? rows.counted() : rows.plain(), counted, now);
      }
      return db.transaction(tx -> RowIds.markPlaceholders(tx, rows.placeholders())
          .compose(v -> sql.insertAttestations(tx, rows.plain(), false, now))
          .compose(v -> sql.insertAttestations(tx, rows.counted(), true, now)));
    });
  }

  private static boolean checkable(OutputAttestation o) {
    // Placeholders (lenient) are never part of a signature check: no store path, no NAR hash.
    return o.path().isStorePath() && o.signature().isPresent() && o.hash().narHash().isPresent() && o.narSize().isPresent()
        && o.references().isPresent();
  }

  private static SigStatus verify(User user, OutputAttestation o, List<PublicKey> keys) {
    if (!checkable(o) || keys.isEmpty()) {
      return SigStatus.UNVERIFIED;
    }
    Signature sig = o.signature().get();
    String fingerprint;
    try {
      fingerprint = NarInfo.fingerprint(o.path().storePath().orElseThrow(), o.hash().narHash().get(), o.narSize().get(), o.references().get());
    } catch (ValidationException e) {
      throw new InvalidSignatureException("of " + o.path().fullPath() + " cannot be checked: " + e.getMessage());
    }
    boolean knownKeyName = keys.stream().anyMatch(k -> k.name().equals(sig.keyName()));
    if (!knownKeyName) {
      return SigStatus.UNVERIFIED;
    }
    if (keys.stream().anyMatch(k -> k.verify(fingerprint, sig))) {
      return SigStatus.VERIFIED;
    }
    throw new InvalidSignatureException("of " + o.path().fullPath() + " does not verify under " + user.name()
        + "'s key " + sig.keyName() + " over " + fingerprint);
  }
}
