package dev.cairn.server;

import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.server.config.ConfigTree;
import dev.cairn.users.Role;
import dev.cairn.users.UserName;
import dev.cairn.users.UserService;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A real Cairn server on a free loopback port, on a fresh database of the given dialect.
 * Extra settings are given as CAIRN_* variables, exactly as an operator would.
 */
public final class TestServer implements AutoCloseable {
  private final Vertx adminVertx;
  private final TestDatabase database;
  private final Map<String, String> env;
  private CairnServer server;

  private TestServer(Vertx adminVertx, TestDatabase database, Map<String, String> env, CairnServer server) {
    this.adminVertx = adminVertx;
    this.database = database;
    this.env = env;
    this.server = server;
  }

  public static TestServer start(Dialect dialect) throws Exception {
    return start(dialect, Map.of());
  }

  public static TestServer start(Dialect dialect, Map<String, String> settings) throws Exception {
    Vertx adminVertx = Vertx.vertx();
    TestDatabase database = TestDatabase.create(adminVertx, dialect);
    // The test database is migrated and empty; the server opens its own connections to it.
    Map<String, String> env = new HashMap<>();
    env.put("CAIRN_HTTP_PORT", "0");
    env.put("CAIRN_HTTP_REQUEST_LOG", "false");
    env.put("CAIRN_DATA_DIR", database.dataDir().toString());
    env.put("CAIRN_DATABASE_URL", database.url());
    env.putAll(settings);
    try {
      CairnServer server = TestDatabase.await(CairnServer.start(ConfigTree.load(null, env)));
      return new TestServer(adminVertx, database, env, server);
    } catch (Exception e) {
      database.close();
      adminVertx.close();
      throw e;
    }
  }

  /**
   * Stops the server, empties every table (all but schema_migrations, ids starting again at 1)
   * and starts a new server on the same database: a fresh server on an empty database, far
   * cheaper than creating and migrating another one (its port changes).
   */
  public void restartEmpty() throws Exception {
    server.close();
    var db = database.db();
    if (database.dialect() == dev.cairn.db.Dialect.POSTGRESQL) {
      var tables = TestDatabase.await(db.query("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
          + " AND tablename <> 'schema_migrations'")).stream().map(r -> r.string("tablename")).toList();
      TestDatabase.await(db.update("TRUNCATE " + String.join(", ", tables) + " RESTART IDENTITY CASCADE"));
    } else {
      var tables = new java.util.ArrayList<>(TestDatabase.await(db.query("SELECT name FROM sqlite_master WHERE type = 'table'"
          + " AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'")).stream().map(r -> r.string("name")).toList());
      // Children before parents: a table whose rows are still referenced is emptied in a later round.
      for (int round = 0; !tables.isEmpty(); round++) {
        if (round > 50) {
          throw new IllegalStateException("cannot empty " + tables);
        }
        for (var it = tables.iterator(); it.hasNext(); ) {
          String t = it.next();
          try {
            TestDatabase.await(db.update("DELETE FROM " + t));
            it.remove();
          } catch (Exception e) {
            // still referenced
          }
        }
      }
      TestDatabase.await(db.update("DELETE FROM sqlite_sequence"));
    }
    server = TestDatabase.await(CairnServer.start(ConfigTree.load(null, env)));
  }

  public int port() {
    return server.port();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.port();
  }

  public CairnServer server() {
    return server;
  }

  /** Creates a user on the server's database, as `cairn user create` does; answers its token. */
  public String createUser(String name) throws Exception {
    return TestDatabase.await(new UserService(server.db()).create(new UserName(name), Optional.empty())).token();
  }

  /** As {@link #createUser(String)}, with a role (`cairn user create NAME --role ROLE`). */
  public String createUser(String name, Role role) throws Exception {
    return TestDatabase.await(new UserService(server.db()).create(new UserName(name), role, Optional.empty())).token();
  }

  /** Revokes a user, as `cairn user revoke` does. */
  public void revokeUser(String name) throws Exception {
    TestDatabase.await(new UserService(server.db()).revoke(new UserName(name)));
  }

  /** The server's data directory (its SQLite file, and its blobs under blobs/ unless castore.blob_store says otherwise). */
  public java.nio.file.Path dataDir() {
    return database.dataDir();
  }

  /** The server's configuration as CAIRN_* variables, for running CLI commands against its data. */
  public Map<String, String> env() {
    return Map.of("CAIRN_DATA_DIR", database.dataDir().toString(), "CAIRN_DATABASE_URL", database.url());
  }

  @Override
  public void close() throws Exception {
    try {
      server.close();
    } finally {
      database.close();
      adminVertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }
}
