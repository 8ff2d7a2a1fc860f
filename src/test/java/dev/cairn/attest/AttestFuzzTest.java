package dev.cairn.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated malformed input against a running server (fixed seeds, bounded rounds, well under
 * a minute for both dialects): mutated JSON bodies of every attest write route, forged
 * Authorization headers, and mangled URLs sent as raw bytes. Every answer is a 4xx with a JSON
 * {@code detail} (or a 2xx when a mutation happens to be valid), never a 5xx, never a hang (a
 * socket timeout fails the test), and a refused request writes nothing.
 */
class AttestFuzzTest extends ServersOnBothDialects {
  private static final int ROUNDS_PER_ROUTE = 150;
  private static final int SOCKET_TIMEOUT_MILLIS = 10_000;

  private static final Object[] NASTY = {"", "\u0000", "a\nb", "\r", "\u001b[31m", "\ud800", "x".repeat(3000), "sha256:abc", "md5:abc",
      "/nix/store/", "../../etc/passwd", "<img src=x>", "é漢", 0, -1, 1e308, Long.MAX_VALUE, true, false, null, new JsonArray(),
      new JsonObject(), new JsonArray().add(new JsonArray().add(new JsonArray())), new JsonObject().put("a", new JsonObject())};

  private static final String[] TRAILERS = {" x", "]", "}", "{}", "[]", ",", "\u0000", " 1", "\n{\"a\":1}", "//"};

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void mutatedJsonBodiesOfEveryWriteRouteAreRefusedWithA4xxAndWriteNothing(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String token = c.user("fuzz-" + d);
    Random random = new Random(0xf022_0001L + d.ordinal());
    String out = hashPart();
    String drv = hashPart() + "-fuzz";
    JsonArray lila = new JsonArray().add(AttestClient.body(out, "fuzz", LilaRoutesTest.SHA_NIX, LilaRoutesTest.SIG).getJsonObject(0)
        .put("nar_size", 120).put("references", new JsonArray().add("/nix/store/" + out + "-fuzz")));
    JsonArray batch = new JsonArray().add(new JsonObject().put("drv_ident", drv).put("outputs", lila.copy()));
    JsonObject sbom = new JsonObject().put("bomFormat", "CycloneDX").put("specVersion", "1.5")
        .put("metadata", new JsonObject().put("component", new JsonObject().put("bom-ref", "root").put("properties", new JsonArray()
            .add(new JsonObject().put("name", "nix:out_path").put("value", "/nix/store/" + out + "-fuzz")))))
        .put("components", new JsonArray().add(new JsonObject().put("bom-ref", "c").put("properties", new JsonArray()
            .add(new JsonObject().put("name", "nix:out_path").put("value", "/nix/store/" + hashPart() + "-c"))
            .add(new JsonObject().put("name", "nix:drv_path").put("value", "/nix/store/" + hashPart() + "-c.drv")))))
        .put("dependencies", new JsonArray().add(new JsonObject().put("ref", "root").put("dependsOn", new JsonArray().add("c"))));
    JsonObject key = new JsonObject().put("public_key", "fuzz-1:" + Base64.getEncoder().encodeToString(new byte[32]))
        .put("challenge", "cairn-key-challenge-v1;fuzz;" + "0".repeat(32)).put("signature", LilaRoutesTest.SIG);
    record Route(String method, String path, Object seed) {}
    List<Route> routes = List.of(new Route("POST", "/attestation/" + drv, lila), new Route("POST", "/api/v1/attestations", batch),
        new Route("PUT", "/reports/fuzz-" + d, sbom), new Route("POST", "/api/v1/keys", key));
    int accepted = 0;
    int refused = 0;
    for (Route route : routes) {
      for (int round = 0; round < ROUNDS_PER_ROUTE; round++) {
        String body = mutate(route.seed(), random);
        Map<String, Long> before = c.counts();
        HttpResponse<String> r = c.send(route.method(), route.path(), body, token, null, java.time.Duration.ofMillis(SOCKET_TIMEOUT_MILLIS));
        assertTrue(r.statusCode() < 500, route.path() + " answered " + r.statusCode() + " " + r.body() + " to: " + clip(body));
        if (r.statusCode() >= 400) {
          refused++;
          assertTrue(new JsonObject(r.body()).getString("detail") != null, r.body());
          assertEquals(before, c.counts(), "a refused request wrote nothing: " + clip(body));
        } else {
          accepted++;
        }
      }
    }
    assertTrue(refused > accepted, "most mutations are refused (" + refused + " refused, " + accepted + " accepted)");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void forgedAuthorizationHeadersAre4xxAndWriteNothing(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    String realToken = c.user("fuzz-auth-" + d);
    Random random = new Random(0xf022_0002L + d.ordinal());
    String body = AttestClient.body(hashPart(), "auth", LilaRoutesTest.SHA_NIX, "").encode();
    Map<String, Long> before = c.counts();
    for (int round = 0; round < 300; round++) {
      byte[] value = switch (random.nextInt(7)) {
        case 0 -> ("Bearer " + realToken.substring(0, random.nextInt(realToken.length()))).getBytes(StandardCharsets.UTF_8);
        case 1 -> ("Bearer " + realToken + (char) ('!' + random.nextInt(90))).getBytes(StandardCharsets.UTF_8);
        case 2 -> ("Basic " + Base64.getEncoder().encodeToString(randomBytes(random, random.nextInt(200)))).getBytes(StandardCharsets.UTF_8);
        case 3 -> ("Basic " + Base64.getEncoder().encodeToString(("x:" + realToken + "x").getBytes(StandardCharsets.UTF_8)))
            .getBytes(StandardCharsets.UTF_8);
        case 4 -> randomBytes(random, random.nextInt(100));
        case 5 -> ("Bearer " + "A".repeat(random.nextInt(6000))).getBytes(StandardCharsets.UTF_8);
        default -> ("Bearer\t" + realToken.toUpperCase()).getBytes(StandardCharsets.UTF_8);
      };
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      request.writeBytes(("POST /attestation/" + hashPart() + "-auth HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: ")
          .getBytes(StandardCharsets.ISO_8859_1));
      request.writeBytes(value);
      request.writeBytes(("\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
          .getBytes(StandardCharsets.ISO_8859_1));
      int status = raw(c, request.toByteArray());
      assertTrue(status >= 400 && status < 500, "forged Authorization " + clip(new String(value, StandardCharsets.ISO_8859_1)) + " got " + status);
    }
    assertEquals(before, c.counts(), "no forged header wrote anything");
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void mangledUrlsNeverGetA5xxAndWriteNothing(Dialect d) throws Exception {
    AttestClient c = clients.get(d);
    Random random = new Random(0xf022_0003L + d.ordinal());
    String out = hashPart();
    String[] templates = {"/attestation/%s", "/api/attestation/%s", "/attestations/by-output/%s", "/derivations/%s", "/derivations/%s?full=%s",
        "/derivations/?limit=%s&after=%s", "/reports/%s", "/reports/%s/suggest", "/api/v1/reports/%s?policy=%s",
        "/api/v1/reports/%s/diff?a=%s&b=x", "/api/v1/reports/x/diff?against=%s&limit=%s", "/api/v1/reports/%s?builders=%s&verified=1", "/api/v1/reports/%s/frankenbuilds", "/api/v1/outputs/%s", "/link_patterns?pattern=%s&link=%s",
        "/signatures/%s/%s.narinfo", "/signatures/x/%s.narinfo?include_revoked=%s", "/api/v1/attestations?x=%s", "/api/v1/keys/%s",
        "/api/v1/keys/challenge?%s=%s", "/link_patterns?pattern=%s&link=https://e/%s", "/api/v1/outputs/%s?include_revoked=%s"};
    String[] methods = {"GET", "POST", "PUT", "GET", "HEAD", "DELETE"};
    String[] pieces = {out + "-x", "%00", "%0a", "%0d%0a", "%zz", "%", "%2f", "%c3%28", "%ed%a0%80", "..", "%2e%2e", "99999999999999999999",
        "-1", "true", "banana", "a".repeat(300), "é", "%F0%9F%92%A9", "x;y", "''", "%22%3E%3Cimg", "*", "2-of:a,b", "99999999999999999999-of:a"};
    Map<String, Long> before = c.counts();
    for (int round = 0; round < 300; round++) {
      String template = templates[random.nextInt(templates.length)];
      Object[] args = new Object[2];
      for (int i = 0; i < args.length; i++) {
        args[i] = pieces[random.nextInt(pieces.length)] + (random.nextInt(4) == 0 ? pieces[random.nextInt(pieces.length)] : "");
      }
      String path = String.format(template, args);
      String method = methods[random.nextInt(methods.length)];
      byte[] request = (method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
          .getBytes(StandardCharsets.UTF_8);
      int status = raw(c, request);
      assertTrue(status > 0 && status < 500, method + " " + path + " got " + status);
    }
    assertEquals(before, c.counts(), "no unauthenticated request wrote anything");
  }

  /** Sends raw bytes, returns the status code of the answer (the socket timeout fails a hang). */
  private static int raw(AttestClient c, byte[] request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", c.server.port())) {
      s.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
      OutputStream o = s.getOutputStream();
      o.write(request);
      o.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      int ch;
      while ((ch = in.read()) >= 0 && ch != '\n') {
        line.append((char) ch);
      }
      in.readAllBytes();
      String[] parts = line.toString().split(" ");
      return parts.length > 1 && parts[1].matches("[0-9]{3}") ? Integer.parseInt(parts[1]) : -1;
    }
  }

  private static byte[] randomBytes(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    for (int i = 0; i < n; i++) {
      // CR and LF would end the header line: framing is not what this test is about.
      if (b[i] == '\r' || b[i] == '\n') {
        b[i] = 'x';
      }
    }
    return b;
  }

  /** One to three mutations of a valid document: a value replaced, a key dropped or doubled, text cut, garbage after it. */
  private static String mutate(Object seed, Random random) {
    Object doc = seed instanceof JsonObject o ? o.copy() : ((JsonArray) seed).copy();
    int structural = random.nextInt(3);
    for (int i = 0; i < structural; i++) {
      replaceRandomValue(doc, random);
    }
    String text = doc instanceof JsonObject o ? o.encode() : ((JsonArray) doc).encode();
    switch (random.nextInt(structural == 0 ? 5 : 8)) {
      case 0 -> text = text + TRAILERS[random.nextInt(TRAILERS.length)];
      case 1 -> text = text.substring(0, random.nextInt(text.length()));
      case 2 -> {
        // A duplicate key: the first key of some object appears twice.
        int brace = text.indexOf('{', random.nextInt(text.length()));
        int colon = brace < 0 ? -1 : text.indexOf("\":", brace);
        if (colon > 0) {
          String key = text.substring(brace + 1, colon + 1);
          text = text.substring(0, brace + 1) + key + ":\"dup\"," + text.substring(brace + 1);
        } else {
          text = text + " x";
        }
      }
      case 3 -> {
        int at = random.nextInt(text.length());
        text = text.substring(0, at) + (char) random.nextInt(0x80) + text.substring(at);
      }
      case 4 -> text = "[".repeat(70) + text + "]".repeat(70);
      default -> { }
    }
    return text;
  }

  @SuppressWarnings("unchecked")
  private static void replaceRandomValue(Object node, Random random) {
    List<Object[]> slots = new ArrayList<>();
    collect(node, slots);
    if (slots.isEmpty()) {
      return;
    }
    Object[] slot = slots.get(random.nextInt(slots.size()));
    Object nasty = NASTY[random.nextInt(NASTY.length)];
    Object value = nasty instanceof JsonObject o ? o.copy() : nasty instanceof JsonArray a ? a.copy() : nasty;
    if (slot[0] instanceof JsonObject o) {
      if (random.nextInt(5) == 0) {
        o.remove((String) slot[1]);
      } else {
        o.put((String) slot[1], value);
      }
    } else {
      ((JsonArray) slot[0]).set((Integer) slot[1], value);
    }
  }

  private static void collect(Object node, List<Object[]> slots) {
    if (node instanceof JsonObject o) {
      for (String k : o.fieldNames()) {
        slots.add(new Object[] {o, k});
        collect(o.getValue(k), slots);
      }
    } else if (node instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        slots.add(new Object[] {a, i});
        collect(a.getValue(i), slots);
      }
    }
  }

  private static String clip(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }
}
