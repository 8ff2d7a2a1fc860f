package dev.cairn.attest;

import dev.cairn.db.Row;
import dev.cairn.db.Sql;
import dev.cairn.nix.PublicKey;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who votes on an output, and with which key. A revoked user's votes no longer count (their
 * rows stay, for audit). A signature made by one key counts as one verified vote however many
 * users hold that key: registration now gives a key one owner, but rows from before could give
 * one third party's key to two users, who would otherwise turn one signature into two votes.
 */
final class Electorate {
  /** A builder's latest attestation of an output: its id (attestation order), the vote, and the key name of a verified signature. */
  record Ballot(long attestationId, Vote vote, String keyName) {}

  private final Map<Long, String> names;
  private final Set<Long> revoked;
  /** user id → key name → the bytes (base64) of that user's keys of that name. */
  private final Map<Long, Map<String, List<String>>> keys;

  private Electorate(Map<Long, String> names, Set<Long> revoked, Map<Long, Map<String, List<String>>> keys) {
    this.names = names;
    this.revoked = revoked;
    this.keys = keys;
  }

  /** Reads every user and key: both tables hold one row per builder (or key), not per attestation. */
  static Future<Electorate> load(Sql db) {
    Future<List<Row>> users = db.query("SELECT id, name, revoked_at FROM users");
    Future<List<Row>> held = db.query("SELECT user_id, public_key FROM user_keys");
    return Future.all(users, held).map(x -> of(users.result(), held.result()));
  }

  static Electorate of(List<Row> userRows, List<Row> keyRows) {
    Map<Long, String> names = new HashMap<>();
    Set<Long> revoked = new HashSet<>();
    for (Row r : userRows) {
      names.put(r.getLong("id"), r.string("name"));
      if (!r.isNull("revoked_at")) {
        revoked.add(r.getLong("id"));
      }
    }
    Map<Long, Map<String, List<String>>> keys = new HashMap<>();
    for (Row r : keyRows) {
      PublicKey k = PublicKey.parse(r.string("public_key"));
      keys.computeIfAbsent(r.getLong("user_id"), u -> new HashMap<>()).computeIfAbsent(k.name(), n -> new ArrayList<>())
          .add(Base64.getEncoder().encodeToString(k.bytes()));
    }
    return new Electorate(names, revoked, keys);
  }

  String name(long userId) {
    return names.getOrDefault(userId, "?");
  }

  /** Whether this user's votes count: not revoked, or revoked users asked for (audit). */
  boolean votes(long userId, boolean includeRevoked) {
    return includeRevoked || !revoked.contains(userId);
  }

  /** The key name of a stored {@code name:base64} signature. */
  static String keyName(String signature) {
    int colon = signature == null ? -1 : signature.indexOf(':');
    return colon < 0 ? "" : signature.substring(0, colon);
  }

  /**
   * The votes of one output, in attestation order, each verified vote counted once per key:
   * the earliest keeps its verified status, a later one made with a key already counted (or
   * with a key no longer known) is an unverified vote.
   */
  List<Vote> tally(List<Ballot> ballots) {
    int verified = 0;
    for (Ballot b : ballots) {
      if (b.vote().sigStatus() == SigStatus.VERIFIED) {
        verified++;
      }
    }
    List<Vote> out = new ArrayList<>(ballots.size());
    if (verified < 2) {
      // The common case (no vote or one verified vote): nothing to count twice. A single
      // verified vote's key is the voter's by registration.
      ballots.forEach(b -> out.add(b.vote()));
      return out;
    }
    Set<String> counted = new HashSet<>();
    for (Ballot b : ballots) {
      Vote v = b.vote();
      if (v.sigStatus() == SigStatus.VERIFIED) {
        // A user may hold several keys of one name (before V007): the signature is then
        // taken as made by any of them, so none of them can count for someone else.
        List<String> candidates = keys.getOrDefault(v.userId(), Map.of()).getOrDefault(b.keyName(), List.of());
        boolean fresh = !candidates.isEmpty() && candidates.stream().noneMatch(counted::contains);
        counted.addAll(candidates);
        if (!fresh) {
          v = new Vote(v.userId(), v.builder(), v.hash(), SigStatus.UNVERIFIED, v.createdAtMillis());
        }
      }
      out.add(v);
    }
    return out;
  }
}
