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
  private final CairnServer server;

  private TestServer(Vertx adminVertx, TestDatabase database, CairnServer server) {
    this.adminVertx = adminVertx;
    this.database = database;
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
      return new TestServer(adminVertx, database, server);
    } catch (Exception e) {
      database.close();
      adminVertx.close();
      throw e;
    }
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
