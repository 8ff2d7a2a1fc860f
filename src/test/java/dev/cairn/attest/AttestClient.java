package dev.cairn.attest;

import dev.cairn.db.TestDatabase;
import dev.cairn.server.TestServer;
import dev.cairn.users.Role;
import dev.cairn.users.UserName;
import dev.cairn.users.UserService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

/** Speaks to a real server the way lila's clients do: plain HTTP with a Bearer token. */
final class AttestClient {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  final TestServer server;

  AttestClient(TestServer server) {
    this.server = server;
  }

  /** A new writer's token. */
  String user(String name) throws Exception {
    return user(name, Role.WRITER);
  }

  String user(String name, Role role) throws Exception {
    return TestDatabase.await(new UserService(server.server().db()).create(new UserName(name), role, Optional.empty())).token();
  }

  HttpResponse<String> send(String method, String path, String body, String token, String accept) throws Exception {
    return send(method, path, body, token, accept, null);
  }

  /** With a {@code timeout}, a server that never answers fails the test (HttpTimeoutException) instead of hanging it. */
  HttpResponse<String> send(String method, String path, String body, String token, String accept, java.time.Duration timeout) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (timeout != null) {
      b.timeout(timeout);
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (accept != null) {
      b.header("Accept", accept);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws Exception {
    return send("GET", path, null, null, null);
  }

  HttpResponse<String> post(String path, String body, String token) throws Exception {
    return send("POST", path, body, token, null);
  }

  /** Rows in every table an attest route writes to, to show that a refused request wrote nothing. */
  java.util.Map<String, Long> counts() throws Exception {
    String[] tables = {"attestations", "derivations", "outputs", "reports", "report_versions", "report_paths", "report_edges", "link_patterns",
        "user_keys", "attestation_staging", "attestation_batches"};
    StringBuilder sql = new StringBuilder("SELECT ");
    for (int i = 0; i < tables.length; i++) {
      sql.append(i == 0 ? "" : ", ").append("(SELECT COUNT(*) FROM ").append(tables[i]).append(") AS ").append(tables[i]);
    }
    var row = TestDatabase.await(server.server().db().queryOne(sql.toString())).orElseThrow();
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    for (String table : tables) {
      out.put(table, row.getLong(table));
    }
    return out;
  }

  /** Registers the key's public half for the token's user with proof of possession, as a builder does. */
  HttpResponse<String> registerKey(String token, dev.cairn.nix.SecretKey key) throws Exception {
    HttpResponse<String> challenge = post("/api/v1/keys/challenge", null, token);
    if (challenge.statusCode() != 200) {
      return challenge;
    }
    String text = new JsonObject(challenge.body()).getString("challenge");
    return post("/api/v1/keys", new JsonObject().put("public_key", key.toPublicKey().toString()).put("challenge", text)
        .put("signature", key.sign(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString()).encode(), token);
  }

  /** lila's attestation body for one output. */
  static JsonArray body(String hashPart, String name, String hash, String sig) {
    return new JsonArray().add(new JsonObject().put("output_digest", hashPart).put("output_name", name).put("output_hash", hash)
        .put("output_sig", sig));
  }
}
