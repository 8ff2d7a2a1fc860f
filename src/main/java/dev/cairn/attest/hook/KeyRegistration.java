package dev.cairn.attest.hook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.nix.SecretKey;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A builder registers its signing key with proof of possession: it asks the server for a
 * challenge, signs the challenge's text with the Nix secret key it signs outputs with, and
 * sends the public key with that signature. The secret key never leaves the builder.
 */
public final class KeyRegistration {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final URI server;
  private final String token;

  public KeyRegistration(URI server, String token) {
    this.server = server;
    this.token = token;
  }

  /** Registers the public half of the key in {@code secretKeyFile}; returns the public key registered. */
  public String register(Path secretKeyFile) throws IOException, InterruptedException {
    SecretKey key = SecretKey.parse(Files.readString(secretKeyFile));
    JsonNode challenge = post("/api/v1/keys/challenge", "");
    String text = challenge.path("challenge").asText();
    String body = JSON.writeValueAsString(Map.of("public_key", key.toPublicKey().toString(), "challenge", text,
        "signature", key.sign(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString()));
    return post("/api/v1/keys", body).path("key").asText();
  }

  private JsonNode post(String path, String body) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.resolve(path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json;
    try {
      json = JSON.readTree(r.body());
    } catch (IOException e) {
      json = JSON.createObjectNode();
    }
    if (r.statusCode() != 200) {
      throw new IllegalStateException("POST " + path + " answered " + r.statusCode() + ": " + json.path("detail").asText(r.body()));
    }
    return json;
  }
}
