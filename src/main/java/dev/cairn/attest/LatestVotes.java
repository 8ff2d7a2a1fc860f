package dev.cairn.attest;

import dev.cairn.db.Row;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * "The latest vote per builder", in one place: of a builder's attestations of an output, the
 * one with the highest id counts; the ballots kept are tallied in attestation order by the
 * {@link Electorate}. Rows are grouped by a key of the caller's choosing (output id, path).
 * Each row must hold {@code id, user_id, output_hash, sig_status, created_at} and
 * {@link #VERIFIED_SIG}.
 */
final class LatestVotes<K> {
  /** The signature of a verified attestation (whose key name says which key made it); null for the others. */
  static final String VERIFIED_SIG = "CASE WHEN a.sig_status = 'verified' THEN a.output_sig END AS sig";

  private final Electorate electorate;
  private final boolean includeRevoked;
  /** key → user id → the builder's latest ballot */
  private final Map<K, Map<Long, Electorate.Ballot>> latest;

  LatestVotes(Electorate electorate, boolean includeRevoked, int expectedKeys) {
    this.electorate = electorate;
    this.includeRevoked = includeRevoked;
    this.latest = new HashMap<>(Math.max(16, expectedKeys * 2));
  }

  /** Keeps the row's ballot under {@code key} if its builder votes and it is the builder's latest so far. */
  void add(K key, Row r) {
    long userId = r.getLong("user_id");
    Map<Long, Electorate.Ballot> byUser = latest.computeIfAbsent(key, k -> new HashMap<>(4));
    if (!electorate.votes(userId, includeRevoked)) {
      return;
    }
    long aid = r.getLong("id");
    Electorate.Ballot held = byUser.get(userId);
    if (held == null || held.attestationId() < aid) {
      byUser.put(userId, new Electorate.Ballot(aid, new Vote(userId, electorate.name(userId), r.string("output_hash"),
          SigStatus.ofDb(r.string("sig_status")), r.getLong("created_at")), Electorate.keyName(r.string("sig"))));
    }
  }

  /** The key's votes, each key counted once; empty when nobody (counted) attested it. */
  List<Vote> tally(K key) {
    Map<Long, Electorate.Ballot> byUser = latest.get(key);
    if (byUser == null || byUser.isEmpty()) {
      return List.of();
    }
    if (byUser.size() == 1) {
      return List.of(byUser.values().iterator().next().vote());
    }
    return electorate.tally(inOrder(byUser));
  }

  /** Every key with at least one counted vote, and its votes. */
  Map<K, List<Vote>> tallies() {
    Map<K, List<Vote>> out = new HashMap<>();
    latest.forEach((key, byUser) -> {
      if (!byUser.isEmpty()) {
        out.put(key, electorate.tally(inOrder(byUser)));
      }
    });
    return out;
  }

  private static List<Electorate.Ballot> inOrder(Map<Long, Electorate.Ballot> byUser) {
    List<Electorate.Ballot> out = new ArrayList<>(byUser.values());
    out.sort((x, y) -> Long.compare(x.attestationId(), y.attestationId()));
    return out;
  }
}
