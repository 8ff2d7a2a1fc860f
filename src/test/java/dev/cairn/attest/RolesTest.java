package dev.cairn.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.users.Role;
import dev.cairn.users.UserName;
import dev.cairn.users.UserService;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every write route asks for a role: a reader writes nothing, a writer adds no link pattern. */
class RolesTest extends ServersOnBothDialects {
  private record Write(String method, String path, String body) {}

  private Write[] writerRoutes() {
    String out = hashPart();
    String attestation = AttestClient.body(out, "hello", LilaRoutesTest.SHA_NIX, "").encode();
    String sbom = new JsonObject().put("bomFormat", "CycloneDX").put("metadata", new JsonObject().put("component", new JsonObject().put("bom-ref", "r")
        .put("properties", new io.vertx.core.json.JsonArray().add(new JsonObject().put("name", "nix:out_path")
            .put("value", "/nix/store/" + out + "-hello"))))).encode();
    dev.cairn.nix.SecretKey key = dev.cairn.nix.SecretKey.generate("roles-1");
    String challenge = KeyRegistry.CHALLENGE_PREFIX + "someone;" + "0".repeat(64);
    return new Write[] {
        new Write("POST", "/attestation/" + hashPart() + "-hello", attestation),
        new Write("POST", "/api/attestation/" + hashPart() + "-hello", attestation),
        new Write("PUT", "/reports/roles-" + out, sbom),
        new Write("POST", "/api/v1/attestations", "{\"drv_ident\":\"" + hashPart() + "-hello\",\"outputs\":" + attestation + "}"),
        new Write("POST", "/api/v1/keys/challenge", null),
        new Write("POST", "/api/v1/keys", new JsonObject().put("public_key", key.toPublicKey().toString()).put("challenge", challenge)
            .put("signature", key.sign(challenge.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString()).encode()),
    };
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aReaderIsRefusedEveryWriteRoute(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String reader = c.user("reader-" + d, Role.READER);
    for (Write w : writerRoutes()) {
      HttpResponse<String> r = c.send(w.method(), w.path(), w.body(), reader, null);
      assertEquals(403, r.statusCode(), w.method() + " " + w.path() + ": " + r.body());
      assertEquals("role: writer required (reader-" + d + " is reader)", new JsonObject(r.body()).getString("detail"));
    }
    assertEquals("[]", c.get("/attestations/by-output/" + hashPart() + "-hello").body(), "nothing written");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void writersAndAdminsWriteAttestations(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    for (Role role : new Role[] {Role.WRITER, Role.ADMIN}) {
      String token = c.user(role + "-attests-" + d, role);
      String out = hashPart();
      HttpResponse<String> r = c.post("/attestation/" + hashPart() + "-hello", AttestClient.body(out, "hello", LilaRoutesTest.SHA_NIX, "").encode(), token);
      assertEquals(200, r.statusCode(), role + ": " + r.body());
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aRoleChangeTakesEffectWithinTheAuthenticationCacheTime(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String name = "promoted-" + d;
    String token = c.user(name, Role.WRITER);
    String add = "/link_patterns?pattern=promoted-" + d + "&link=https%3A%2F%2Fexample.org%2F";
    assertEquals(403, c.post(add, null, token).statusCode());
    // Another UserService on the same database, as `cairn user set-role` in another process:
    // the server sees the change once its authentication cache expires.
    UserService users = new UserService(c.server.server().db());
    TestDatabase.await(users.setRole(new UserName(name), Role.ADMIN));
    Thread.sleep(UserService.AUTH_CACHE_MILLIS + 100);
    assertEquals(200, c.post(add, null, token).statusCode());
    TestDatabase.await(users.setRole(new UserName(name), Role.READER));
    Thread.sleep(UserService.AUTH_CACHE_MILLIS + 100);
    assertEquals(403, c.post("/attestation/" + hashPart() + "-hello", AttestClient.body(hashPart(), "hello", LilaRoutesTest.SHA_NIX, "").encode(),
        token).statusCode());
  }
}
