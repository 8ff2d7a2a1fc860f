package dev.cairn.users;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import io.vertx.core.Vertx;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserServiceTest {
  private Vertx vertx;
  private final java.util.Map<Dialect, TestDatabase> dbs = new java.util.EnumMap<>(Dialect.class);

  @BeforeAll
  void open() throws Exception {
    vertx = Vertx.vertx();
    for (Dialect d : Dialect.values()) {
      dbs.put(d, TestDatabase.create(vertx, d));
    }
  }

  @AfterAll
  void close() throws Exception {
    for (TestDatabase t : dbs.values()) {
      t.close();
    }
    await(vertx.close());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void storesOnlyTheHashOfTheToken(Dialect d) throws Exception {
    UserService users = new UserService(dbs.get(d).db());
    UserService.Created c = await(users.create(new UserName("hashonly"), Optional.empty()));
    var rows = await(dbs.get(d).db().query("SELECT token_sha256 FROM tokens WHERE user_id = ?", c.user().id()));
    assertEquals(1, rows.size());
    assertArrayEquals(Tokens.sha256(c.token()), rows.get(0).bytes("token_sha256"));
    assertEquals(64, c.token().length());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void authenticatesAGivenTokenUntilRevoked(Dialect d) throws Exception {
    UserService users = new UserService(dbs.get(d).db());
    await(users.create(new UserName("alice"), Optional.of("lila-token-of-alice")));
    assertEquals("alice", await(users.authenticate("lila-token-of-alice")).orElseThrow().name());
    assertTrue(await(users.authenticate("lila-token-of-alicf")).isEmpty());
    await(users.revoke(new UserName("alice")));
    assertTrue(await(users.authenticate("lila-token-of-alice")).isEmpty());
    assertTrue(await(users.find("alice")).orElseThrow().revoked());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void refusesDuplicateNamesAndTokens(Dialect d) throws Exception {
    UserService users = new UserService(dbs.get(d).db());
    await(users.create(new UserName("bob"), Optional.of("token-of-bob-1")));
    assertThrows(Exception.class, () -> await(users.create(new UserName("bob"), Optional.empty())));
    Exception e = assertThrows(Exception.class, () -> await(users.create(new UserName("carol"), Optional.of("token-of-bob-1"))));
    assertTrue(e.getCause().getMessage().contains("already in use"));
    assertFalse(await(users.list()).stream().anyMatch(u -> u.name().equals("carol")));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void revokingAnUnknownUserFails(Dialect d) throws Exception {
    UserService users = new UserService(dbs.get(d).db());
    Exception e = assertThrows(Exception.class, () -> await(users.revoke(new UserName("nobody"))));
    assertTrue(e.getCause() instanceof UserService.NoSuchUserException);
  }

  @Test
  void rejectsBadNamesAndShortTokens() {
    assertThrows(IllegalArgumentException.class, () -> new UserName("-x"));
    assertThrows(IllegalArgumentException.class, () -> new UserName("a b"));
    assertThrows(IllegalArgumentException.class, () -> Tokens.validate("short"));
  }

  @org.junit.jupiter.api.Test
  void rolesAreNested() {
    assertTrue(Role.ADMIN.allows(Role.WRITER) && Role.ADMIN.allows(Role.READER) && Role.WRITER.allows(Role.READER));
    assertFalse(Role.WRITER.allows(Role.ADMIN) || Role.READER.allows(Role.WRITER) || Role.READER.allows(Role.ADMIN));
    for (Role r : Role.values()) {
      assertTrue(r.allows(r));
      assertEquals(r, Role.parse(r.id()));
    }
    assertEquals("role must be one of admin, writer, reader (got \"root\")",
        assertThrows(IllegalArgumentException.class, () -> Role.parse("root")).getMessage());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void usersCarryARoleThatAnOperatorChanges(Dialect d) throws Exception {
    UserService users = new UserService(dbs.get(d).db());
    assertEquals(Role.WRITER, await(users.create(new UserName("default-role"), Optional.empty())).user().role());
    UserService.Created admin = await(users.create(new UserName("root-op"), Role.ADMIN, Optional.empty()));
    assertEquals(Role.ADMIN, await(users.authenticate(admin.token())).orElseThrow().role());
    await(users.setRole(new UserName("root-op"), Role.READER));
    assertEquals(Role.READER, await(users.authenticate(admin.token())).orElseThrow().role(), "the cache is cleared at once in this process");
    assertEquals(Role.READER, await(users.find("root-op")).orElseThrow().role());
    assertThrows(Exception.class, () -> await(users.setRole(new UserName("nobody-here"), Role.ADMIN)));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void usersFromBeforeRolesAreWriters(Dialect d) throws Exception {
    // A row as V001 wrote it (no role column named): the migration's default makes it a writer.
    await(dbs.get(d).db().update("INSERT INTO users (name, created_at) VALUES (?, ?)", "legacy-builder", 1L));
    assertEquals(Role.WRITER, await(new UserService(dbs.get(d).db()).find("legacy-builder")).orElseThrow().role());
  }
}
