package dev.cairn.attest;

import dev.cairn.db.Database;
import dev.cairn.db.Row;
import dev.cairn.db.Sql;
import dev.cairn.nix.PublicKey;
import dev.cairn.nix.Signature;
import dev.cairn.server.http.ClientError;
import dev.cairn.users.User;
import dev.cairn.validation.ValidationException;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Builders' Nix public keys, one owner per key and per key name. A builder registers a key by
 * signing a challenge this server issued (proof of possession); an operator may assign one
 * from the command line, under the same one-owner rule.
 */
public final class KeyRegistry {
  /**
   * What a challenge's text starts with. Nix signs fingerprints that start with {@code 1;/},
   * so a signature over a challenge can never pass for a signature over a store path, nor the
   * other way round.
   */
  public static final String CHALLENGE_PREFIX = "cairn-key-challenge-v1;";
  /** Live challenges one user may hold at once: enough for retries, too few to fill a table. */
  static final int MAX_OPEN_CHALLENGES = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Database db;
  private final long challengeTtlMillis;

  public KeyRegistry(Database db, long challengeTtlMillis) {
    this.db = db;
    this.challengeTtlMillis = challengeTtlMillis;
  }

  /** The text a builder signs with the key it registers, and until when it is accepted. */
  public record Challenge(String text, long expiresAtMillis) {}

  /** The key (its bytes or its name) already belongs to another user: answered 409. */
  public static final class KeyConflictException extends IllegalStateException implements ClientError {
    public KeyConflictException(String message) {
      super(message);
    }

    @Override
    public int httpStatus() {
      return 409;
    }
  }

  /** Too many live challenges for one user: answered 429. */
  public static final class TooManyChallengesException extends IllegalStateException implements ClientError {
    public TooManyChallengesException(String message) {
      super(message);
    }

    @Override
    public int httpStatus() {
      return 429;
    }
  }

  public Future<Challenge> challenge(User user) {
    byte[] nonce = new byte[32];
    RANDOM.nextBytes(nonce);
    String hex = HexFormat.of().formatHex(nonce);
    long now = System.currentTimeMillis();
    long expires = now + challengeTtlMillis;
    return db.transaction(tx -> tx.update("DELETE FROM key_challenges WHERE expires_at < ?", now)
        .compose(v -> tx.queryOne("SELECT COUNT(*) AS n FROM key_challenges WHERE user_id = ?", user.id()))
        .compose(n -> n.orElseThrow().getLong("n") >= MAX_OPEN_CHALLENGES
            ? Future.failedFuture(new TooManyChallengesException("challenge: at most " + MAX_OPEN_CHALLENGES
                + " open challenges per user; use one or wait " + challengeTtlMillis / 1000 + " s"))
            : tx.update("INSERT INTO key_challenges (nonce, user_id, expires_at) VALUES (?, ?, ?)", hex, user.id(), expires))
        .map(v -> new Challenge(CHALLENGE_PREFIX + user.name() + ";" + hex, expires)));
  }

  /**
   * Registers {@code key} for {@code user} if {@code signature} is the key's signature over a
   * live challenge issued to this user (which is then used up), and no other user holds the
   * key or its name. Registering a key one already holds again changes nothing.
   */
  public Future<Void> register(User user, PublicKey key, String challenge, Signature signature) {
    String prefix = CHALLENGE_PREFIX + user.name() + ";";
    if (!challenge.startsWith(prefix) || !challenge.substring(prefix.length()).matches("[0-9a-f]{64}")) {
      return Future.failedFuture(ValidationException.of("challenge: not a challenge issued to " + user.name()
          + " (get one from POST /api/v1/keys/challenge)"));
    }
    if (!signature.keyName().equals(key.name())) {
      return Future.failedFuture(ValidationException.of("signature: made with key " + signature.keyName() + ", not " + key.name()));
    }
    if (!key.verify(challenge.getBytes(StandardCharsets.UTF_8), signature)) {
      return Future.failedFuture(ValidationException.of("signature: does not verify under public_key over the challenge"));
    }
    String nonce = challenge.substring(prefix.length());
    long now = System.currentTimeMillis();
    return claim(user.id(), key, tx -> tx.query("DELETE FROM key_challenges WHERE nonce = ? AND user_id = ? RETURNING expires_at", nonce, user.id())
        .compose(rows -> rows.isEmpty() || rows.get(0).getLong("expires_at") < now
            ? Future.failedFuture(ValidationException.of("challenge: unknown, already used or expired"))
            : Future.succeededFuture()));
  }

  /** The operator's override ({@code cairn user add-key}): no challenge, the same one-owner rule. */
  public Future<Void> assign(long userId, PublicKey key) {
    return claim(userId, key, tx -> Future.succeededFuture());
  }

  /** The user's keys, which their signatures are checked against. */
  public static Future<List<PublicKey>> keysOf(Sql db, long userId) {
    return db.query("SELECT public_key FROM user_keys WHERE user_id = ? ORDER BY id", userId)
        .map(rows -> rows.stream().map(r -> PublicKey.parse(r.string("public_key"))).toList());
  }

  private Future<Void> claim(long userId, PublicKey key, java.util.function.Function<Sql, Future<Void>> precondition) {
    String bytes = Base64.getEncoder().encodeToString(key.bytes());
    Future<Void> claimed = db.transaction(tx -> precondition.apply(tx)
        .compose(v -> conflict(tx, userId, key))
        .compose(c -> c.isPresent() ? Future.<Void>failedFuture(new KeyConflictException(c.get()))
            : tx.update("INSERT INTO user_keys (user_id, public_key, created_at, key_name, key_bytes) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (user_id, public_key) DO UPDATE SET key_name = excluded.key_name, key_bytes = excluded.key_bytes",
                userId, key.toString(), System.currentTimeMillis(), key.name(), bytes).mapEmpty()));
    // Two registrations of one key racing on PostgreSQL: both checks pass, one INSERT meets the
    // unique index. Checking again outside the transaction names the conflict for the loser.
    return claimed.recover(e -> e instanceof KeyConflictException || e instanceof ValidationException ? Future.failedFuture(e)
        : conflict(db, userId, key).compose(c -> Future.failedFuture(c.<Throwable>map(KeyConflictException::new).orElse(e))));
  }

  /** Why {@code key} cannot be given to {@code userId}, if it cannot. */
  private static Future<Optional<String>> conflict(Sql sql, long userId, PublicKey key) {
    String bytes = Base64.getEncoder().encodeToString(key.bytes());
    // Rows from before V007 have no key_name/key_bytes: they are compared here, in code.
    return sql.query("SELECT user_id, public_key FROM user_keys WHERE key_bytes = ? OR key_name = ? OR key_bytes IS NULL", bytes, key.name())
        .map(rows -> {
          for (Row r : rows) {
            PublicKey held = PublicKey.parse(r.string("public_key"));
            boolean mine = r.getLong("user_id") == userId;
            if (held.equals(key)) {
              if (!mine) {
                return Optional.of("public_key: this key is registered to another user");
              }
            } else if (java.util.Arrays.equals(held.bytes(), key.bytes())) {
              return Optional.of("public_key: this key is already registered" + (mine ? " under the name " + held.name() : " to another user"));
            } else if (held.name().equals(key.name())) {
              return Optional.of("public_key: the key name " + key.name() + " already names " + (mine ? "another key of yours" : "another user's key"));
            }
          }
          return Optional.empty();
        });
  }
}
