package dev.cairn.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.nix.SecretKey;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Keys are registered with proof of possession, one owner per key and per key name. */
class KeyRegistrationTest extends ServersOnBothDialects {
  private static String challengeOf(AttestClient c, String token) throws Exception {
    HttpResponse<String> r = c.post("/api/v1/keys/challenge", null, token);
    assertEquals(200, r.statusCode(), r.body());
    JsonObject o = new JsonObject(r.body());
    assertTrue(o.getLong("expires_at") > System.currentTimeMillis());
    return o.getString("challenge");
  }

  private static HttpResponse<String> register(AttestClient c, String token, String publicKey, String challenge, String signature)
      throws Exception {
    return c.post("/api/v1/keys", new JsonObject().put("public_key", publicKey).put("challenge", challenge).put("signature", signature).encode(),
        token);
  }

  private static String sign(SecretKey key, String text) {
    return key.sign(text.getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static String detail(HttpResponse<String> r) {
    return new JsonObject(r.body()).getString("detail");
  }

  private long keysHeld(AttestClient c, String publicKey) throws Exception {
    return TestDatabase.await(c.server.server().db().query("SELECT user_id FROM user_keys WHERE public_key = ?", publicKey)).size();
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aBuilderRegistersItsKeyBySigningAChallenge(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String token = c.user("pop-" + d);
    SecretKey key = SecretKey.generate("pop-" + d + "-1");
    String challenge = challengeOf(c, token);
    assertTrue(challenge.startsWith(KeyRegistry.CHALLENGE_PREFIX + "pop-" + d + ";"), challenge);
    HttpResponse<String> ok = register(c, token, key.toPublicKey().toString(), challenge, sign(key, challenge));
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals(key.toPublicKey().toString(), new JsonObject(ok.body()).getString("key"));
    assertEquals(1, keysHeld(c, key.toPublicKey().toString()));
    assertEquals(200, c.registerKey(token, key).statusCode(), "registering one's own key again changes nothing");
    assertEquals(1, keysHeld(c, key.toPublicKey().toString()));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aKeyWithoutProofOfPossessionIsRefused(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String token = c.user("thief-" + d);
    SecretKey victim = SecretKey.generate("victim-" + d + "-1");
    SecretKey own = SecretKey.generate("victim-" + d + "-1");
    String pub = victim.toPublicKey().toString();

    HttpResponse<String> bare = c.post("/api/v1/keys", pub, token);
    assertEquals(422, bare.statusCode(), "the old body, a bare public key, proves nothing");
    HttpResponse<String> noChallenge = c.post("/api/v1/keys", new JsonObject().put("public_key", pub).encode(), token);
    assertEquals(422, noChallenge.statusCode());
    assertTrue(detail(noChallenge).startsWith("challenge: required string"), noChallenge.body());

    String challenge = challengeOf(c, token);
    HttpResponse<String> wrongKey = register(c, token, pub, challenge, sign(own, challenge));
    assertEquals(422, wrongKey.statusCode(), "signed with another key of the same name");
    assertEquals("signature: does not verify under public_key over the challenge", detail(wrongKey));
    HttpResponse<String> otherText = register(c, token, pub, challenge, sign(victim, challenge + "x"));
    assertEquals(422, otherText.statusCode());
    HttpResponse<String> renamed = register(c, token, pub, challenge, sign(SecretKey.generate("other"), challenge));
    assertEquals(422, renamed.statusCode());
    assertTrue(detail(renamed).startsWith("signature: made with key other"), renamed.body());
    HttpResponse<String> garbage = register(c, token, pub, challenge, "not a signature");
    assertEquals(422, garbage.statusCode());
    assertTrue(detail(garbage).startsWith("signature: "), garbage.body());
    assertEquals(0, keysHeld(c, pub));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aChallengeIsSingleUseBoundToItsUserAndShortLived(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String alice = c.user("chal-alice-" + d);
    String bob = c.user("chal-bob-" + d);
    SecretKey key = SecretKey.generate("chal-" + d + "-1");
    String pub = key.toPublicKey().toString();

    String forAlice = challengeOf(c, alice);
    HttpResponse<String> stolen = register(c, bob, pub, forAlice, sign(key, forAlice));
    assertEquals(422, stolen.statusCode(), "a challenge issued to alice is not bob's");
    assertTrue(detail(stolen).startsWith("challenge: not a challenge issued to chal-bob-" + d), stolen.body());
    String forged = KeyRegistry.CHALLENGE_PREFIX + "chal-bob-" + d + ";" + "ab".repeat(32);
    HttpResponse<String> invented = register(c, bob, pub, forged, sign(key, forged));
    assertEquals(422, invented.statusCode(), "a nonce the server never issued");
    assertEquals("challenge: unknown, already used or expired", detail(invented));

    assertEquals(200, register(c, alice, pub, forAlice, sign(key, forAlice)).statusCode());
    SecretKey second = SecretKey.generate("chal-" + d + "-2");
    HttpResponse<String> replay = register(c, alice, second.toPublicKey().toString(), forAlice, sign(second, forAlice));
    assertEquals(422, replay.statusCode(), "used once already");
    assertEquals("challenge: unknown, already used or expired", detail(replay));

    String expiring = challengeOf(c, alice);
    TestDatabase.await(c.server.server().db().update("UPDATE key_challenges SET expires_at = ? WHERE nonce = ?",
        System.currentTimeMillis() - 1, expiring.substring(expiring.lastIndexOf(';') + 1)));
    HttpResponse<String> late = register(c, alice, second.toPublicKey().toString(), expiring, sign(second, expiring));
    assertEquals(422, late.statusCode());
    assertEquals("challenge: unknown, already used or expired", detail(late));
    assertEquals(0, keysHeld(c, second.toPublicKey().toString()));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aKeyOrAKeyNameHasOneOwner(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String alice = c.user("owner-alice-" + d);
    String bob = c.user("owner-bob-" + d);
    SecretKey shared = SecretKey.generate("shared-" + d + "-1");
    assertEquals(200, c.registerKey(alice, shared).statusCode());

    HttpResponse<String> sameKey = c.registerKey(bob, shared);
    assertEquals(409, sameKey.statusCode(), "bob holds the secret key too, but alice owns it");
    assertEquals("public_key: this key is registered to another user", detail(sameKey));
    SecretKey renamed = new SecretKey("bob-" + d + "-1", shared.seed(), shared.publicKey());
    HttpResponse<String> sameBytes = c.registerKey(bob, renamed);
    assertEquals(409, sameBytes.statusCode(), "the same key bytes under another name");
    assertEquals("public_key: this key is already registered to another user", detail(sameBytes));
    HttpResponse<String> sameName = c.registerKey(bob, SecretKey.generate("shared-" + d + "-1"));
    assertEquals(409, sameName.statusCode(), "a key name names one key");
    assertEquals("public_key: the key name shared-" + d + "-1 already names another user's key", detail(sameName));
    assertEquals(1, keysHeld(c, shared.toPublicKey().toString()));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aKeyHeldByTwoUsersBeforeOwnershipBlocksBothFromGivingItAThird(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String carol = c.user("legacy-carol-" + d);
    SecretKey legacy = SecretKey.generate("legacy-" + d + "-1");
    long dave = TestDatabase.await(new dev.cairn.users.UserService(c.server.server().db())
        .create(new dev.cairn.users.UserName("legacy-dave-" + d), java.util.Optional.empty())).user().id();
    // A row as V004's POST /api/v1/keys wrote it: no key_name, no key_bytes.
    TestDatabase.await(c.server.server().db().update("INSERT INTO user_keys (user_id, public_key, created_at) VALUES (?, ?, ?)",
        dave, legacy.toPublicKey().toString(), 1L));
    HttpResponse<String> r = c.registerKey(carol, legacy);
    assertEquals(409, r.statusCode(), "rows from before V007 are compared too");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void theOperatorsOverrideKeepsOneOwnerPerKey(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    var users = new dev.cairn.users.UserService(c.server.server().db());
    long erin = TestDatabase.await(users.create(new dev.cairn.users.UserName("op-erin-" + d), java.util.Optional.empty())).user().id();
    long frank = TestDatabase.await(users.create(new dev.cairn.users.UserName("op-frank-" + d), java.util.Optional.empty())).user().id();
    KeyRegistry registry = new KeyRegistry(c.server.server().db(), 60_000);
    SecretKey key = SecretKey.generate("op-" + d + "-1");
    TestDatabase.await(registry.assign(erin, key.toPublicKey()));
    TestDatabase.await(registry.assign(erin, key.toPublicKey()));
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> TestDatabase.await(registry.assign(frank, key.toPublicKey())));
    assertTrue(e.getCause() instanceof KeyRegistry.KeyConflictException, String.valueOf(e.getCause()));
    assertEquals(1, keysHeld(c, key.toPublicKey().toString()));
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void openChallengesPerUserAreBounded(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String token = c.user("greedy-" + d);
    for (int i = 0; i < KeyRegistry.MAX_OPEN_CHALLENGES; i++) {
      assertEquals(200, c.post("/api/v1/keys/challenge", null, token).statusCode());
    }
    HttpResponse<String> r = c.post("/api/v1/keys/challenge", null, token);
    assertEquals(429, r.statusCode());
    assertTrue(detail(r).startsWith("challenge: at most 16 open challenges"), r.body());
    assertEquals(401, c.post("/api/v1/keys/challenge", null, null).statusCode());
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void theBuildersClientRegistersItsKey(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String token = c.user("client-" + d);
    SecretKey key = SecretKey.generate("client-" + d + "-1");
    java.nio.file.Path file = java.nio.file.Files.createTempFile("cairn-key", ".sec");
    try {
      java.nio.file.Files.writeString(file, key.toString());
      String registered = new dev.cairn.attest.hook.KeyRegistration(java.net.URI.create(c.server.baseUrl()), token).register(file);
      assertEquals(key.toPublicKey().toString(), registered);
      assertEquals(1, keysHeld(c, registered));
    } finally {
      java.nio.file.Files.delete(file);
    }
  }
}
