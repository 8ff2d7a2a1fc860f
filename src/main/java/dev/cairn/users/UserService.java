package dev.cairn.users;

import dev.cairn.db.Database;
import dev.cairn.db.Row;
import io.vertx.core.Future;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/** Users and their tokens, on the metadata database. */
public final class UserService {
  /**
   * How long an authenticated token is trusted without asking the database again. Token checks
   * sit on the hottest path (every lila POST); a revocation — from this process at once, from
   * `cairn user revoke` in another process — takes effect within this time.
   */
  public static final long AUTH_CACHE_MILLIS = 1_000;

  private record Cached(Optional<User> user, long expiresAt) {}

  private final Database db;
  private final java.util.concurrent.ConcurrentHashMap<java.nio.ByteBuffer, Cached> authCache = new java.util.concurrent.ConcurrentHashMap<>();

  public UserService(Database db) {
    this.db = db;
  }

  /** The new user's token, shown once: only its hash is stored. */
  public record Created(User user, String token) {}

  public static final class UserExistsException extends IllegalArgumentException {
    public UserExistsException(String name) {
      super("user " + name + " already exists");
    }
  }

  public static final class NoSuchUserException extends IllegalArgumentException {
    public NoSuchUserException(String name) {
      super("no user " + name);
    }
  }

  /** Creates a writer with the given token (operators keeping lila tokens) or a fresh one. */
  public Future<Created> create(UserName name, Optional<String> token) {
    return create(name, Role.WRITER, token);
  }

  /** Creates a user with this role and the given token (operators keeping lila tokens) or a fresh one. */
  public Future<Created> create(UserName name, Role role, Optional<String> token) {
    String chosen = token.orElseGet(Tokens::generate);
    try {
      Tokens.validate(chosen);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    long now = System.currentTimeMillis();
    return db.transaction(tx -> tx.query("SELECT id FROM users WHERE name = ?", name.value())
        .compose(existing -> {
          if (!existing.isEmpty()) {
            return Future.failedFuture(new UserExistsException(name.value()));
          }
          return tx.query("SELECT id FROM tokens WHERE token_sha256 = ?", (Object) Tokens.sha256(chosen));
        })
        .compose(clash -> clash.isEmpty()
            ? tx.query("INSERT INTO users (name, created_at, role) VALUES (?, ?, ?) RETURNING id", name.value(), now, role.id())
            : Future.failedFuture(new IllegalArgumentException("that token is already in use")))
        .compose(rows -> {
          long id = rows.get(0).getLong("id");
          return tx.update("INSERT INTO tokens (user_id, token_sha256, created_at) VALUES (?, ?, ?)", id, Tokens.sha256(chosen), now)
              .map(n -> new Created(new User(id, name.value(), now, false, role), chosen));
        }));
  }

  public Future<List<User>> list() {
    return db.query("SELECT id, name, created_at, revoked_at, role FROM users ORDER BY name").map(rows -> rows.stream().map(UserService::user).toList());
  }

  public Future<Optional<User>> find(String name) {
    return db.queryOne("SELECT id, name, created_at, revoked_at, role FROM users WHERE name = ?", name).map(r -> r.map(UserService::user));
  }

  /** Revokes the user and every token of theirs; their requests get 401 from then on. */
  public Future<Void> revoke(UserName name) {
    long now = System.currentTimeMillis();
    authCache.clear();
    return db.transaction(tx -> tx.update("UPDATE users SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", now, name.value())
        .compose(n -> n == 0
            ? tx.query("SELECT id FROM users WHERE name = ?", name.value()).compose(rows -> rows.isEmpty()
                ? Future.failedFuture(new NoSuchUserException(name.value())) : Future.succeededFuture())
            : Future.succeededFuture())
        .compose(v -> tx.update("UPDATE tokens SET revoked_at = ? WHERE revoked_at IS NULL AND user_id = (SELECT id FROM users WHERE name = ?)",
            now, name.value()))
        .mapEmpty());
  }

  /**
   * Gives the user another role. Takes effect for their requests within {@link #AUTH_CACHE_MILLIS}
   * (at once in this process), like a revocation.
   */
  public Future<Void> setRole(UserName name, Role role) {
    authCache.clear();
    return db.update("UPDATE users SET role = ? WHERE name = ?", role.id(), name.value())
        .compose(n -> n == 0 ? Future.failedFuture(new NoSuchUserException(name.value())) : Future.<Void>succeededFuture())
        .andThen(ar -> authCache.clear());
  }

  /** The active user holding this token, if any (answers from a cache of {@link #AUTH_CACHE_MILLIS}). */
  public Future<Optional<User>> authenticate(String token) {
    if (token == null || token.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    byte[] hash = Tokens.sha256(token);
    java.nio.ByteBuffer key = java.nio.ByteBuffer.wrap(hash);
    long now = System.currentTimeMillis();
    Cached cached = authCache.get(key);
    if (cached != null && cached.expiresAt() > now) {
      return Future.succeededFuture(cached.user());
    }
    if (authCache.size() > 10_000) {
      authCache.clear();
    }
    return lookup(hash).andThen(ar -> {
      if (ar.succeeded()) {
        authCache.put(key, new Cached(ar.result(), now + AUTH_CACHE_MILLIS));
      }
    });
  }

  private Future<Optional<User>> lookup(byte[] hash) {
    return db.queryOne("SELECT u.id, u.name, u.created_at, u.revoked_at, u.role, t.token_sha256 FROM tokens t JOIN users u ON u.id = t.user_id "
            + "WHERE t.token_sha256 = ? AND t.revoked_at IS NULL AND u.revoked_at IS NULL", (Object) hash)
        // The index lookup already matched; compare again in constant time so that no
        // code path decides on a token by a short-circuiting comparison.
        .map(r -> r.filter(row -> MessageDigest.isEqual(row.bytes("token_sha256"), hash)).map(UserService::user));
  }

  private static User user(Row r) {
    return new User(r.getLong("id"), r.string("name"), r.getLong("created_at"), !r.isNull("revoked_at"), Role.parse(r.string("role")));
  }
}
