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
  /**
   * key → the latest ballot of each builder, one entry per builder. A list, not a map by user:
   * an output has a handful of builders, and a report of 80,000 paths spent a third of its
   * grouping time creating and filling 80,000 small hash maps.
   */
  private final Map<K, List<Electorate.Ballot>> latest;

  LatestVotes(Electorate electorate, boolean includeRevoked, int expectedKeys) {
    this.electorate = electorate;
    this.includeRevoked = includeRevoked;
    this.latest = new HashMap<>(Math.max(16, expectedKeys * 2));
  }

  /** Keeps the row's ballot under {@code key} if its builder votes and it is the builder's latest so far. */
  void add(K key, Row r) {
    long userId = r.getLong("user_id");
    List<Electorate.Ballot> ballots = latest.computeIfAbsent(key, k -> new ArrayList<>(3));
    if (!electorate.votes(userId, includeRevoked)) {
      return;
    }
    long aid = r.getLong("id");
    int held = -1;
    for (int i = 0; i < ballots.size() && held < 0; i++) {
      held = ballots.get(i).vote().userId() == userId ? i : -1;
    }
    if (held >= 0 && ballots.get(held).attestationId() >= aid) {
      return;
    }
    Electorate.Ballot ballot = new Electorate.Ballot(aid, new Vote(userId, electorate.name(userId), r.string("output_hash"),
        SigStatus.ofDb(r.string("sig_status")), r.getLong("created_at")), Electorate.keyName(r.string("sig")));
    if (held >= 0) {
      ballots.set(held, ballot);
    } else {
      ballots.add(ballot);
    }
  }

  /** The key's votes, each key counted once; empty when nobody (counted) attested it. */
  List<Vote> tally(K key) {
    List<Electorate.Ballot> ballots = latest.get(key);
    if (ballots == null || ballots.isEmpty()) {
      return List.of();
    }
    if (ballots.size() == 1) {
      return List.of(ballots.get(0).vote());
    }
    return electorate.tally(inOrder(ballots));
  }

  /** Every key with at least one counted vote, and its votes. */
  Map<K, List<Vote>> tallies() {
    Map<K, List<Vote>> out = new HashMap<>();
    latest.forEach((key, ballots) -> {
      if (!ballots.isEmpty()) {
        out.put(key, electorate.tally(inOrder(ballots)));
      }
    });
    return out;
  }

  private static List<Electorate.Ballot> inOrder(List<Electorate.Ballot> ballots) {
    List<Electorate.Ballot> out = new ArrayList<>(ballots);
    out.sort((x, y) -> Long.compare(x.attestationId(), y.attestationId()));
    return out;
  }
}
