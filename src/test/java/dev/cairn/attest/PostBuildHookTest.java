package dev.cairn.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.nix.RealNix;
import dev.cairn.nix.SecretKey;
import dev.cairn.server.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Real Nix 2.8 runs {@code cairn hook post-build} after each build; the attestations arrive signed. */
class PostBuildHookTest {
  @TempDir
  Path tmp;

  /** The hook as an operator installs it: a script Nix runs with DRV_PATH and OUT_PATHS set. */
  private Path hookScript(String server, Path tokenFile, Path keyFile, RealNix nix, Path spool) throws Exception {
    Path script = tmp.resolve("hook-" + System.nanoTime() + ".sh");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Files.writeString(script, "#!/bin/sh\nexec " + java + " -cp '" + System.getProperty("java.class.path") + "' dev.cairn.server.Main hook post-build"
        + " --server " + server + " --token-file " + tokenFile + " --key-file " + keyFile + " --store " + nix.store()
        + " --spool " + spool + " --attempts 2 2>>" + tmp.resolve("hook.log") + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void nixBuildReportsSignedAttestationsThroughTheHook(Dialect d) throws Exception {
    try (TestServer server = TestServer.start(d)) {
      AttestClient c = new AttestClient(server);
      String token = c.user("nix-builder");
      SecretKey key = SecretKey.generate("nix-builder-1");
      Path tokenFile = Files.writeString(tmp.resolve("token"), token + "\n");
      Path keyFile = Files.writeString(tmp.resolve("key"), key.toString());
      // The builder registers its key as an operator would set it up: the CLI, with proof of possession.
      Process register = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
          System.getProperty("java.class.path"), "dev.cairn.server.Main", "hook", "register-key", "--server", server.baseUrl(),
          "--token-file", tokenFile.toString(), "--key-file", keyFile.toString()).redirectErrorStream(true).start();
      String registered = new String(register.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(0, register.waitFor(), registered);
      assertEquals("registered " + key.toPublicKey(), registered.strip());
      RealNix nix = new RealNix(tmp.resolve("nix"));
      Path spool = tmp.resolve("spool");
      Path hook = hookScript(server.baseUrl(), tokenFile, keyFile, nix, spool);

      String top = nix.buildInputAddressed("--option", "post-build-hook", hook.toString());

      String log = Files.exists(tmp.resolve("hook.log")) ? Files.readString(tmp.resolve("hook.log")) : "";
      JsonObject out = new JsonObject(c.get("/api/v1/outputs/" + top.substring("/nix/store/".length())).body());
      assertEquals("One build", out.getString("status"), log);
      JsonObject vote = out.getJsonArray("clusters").getJsonObject(0).getJsonArray("builders").getJsonObject(0);
      assertEquals("nix-builder", vote.getString("name"));
      assertTrue(vote.getBoolean("verified"), "signature over the fingerprint with references verified: " + log);
      JsonObject info = new JsonObject(new JsonArray(nix.pathInfoJson(top)).getJsonObject(0).encode());
      assertEquals(dev.cairn.nix.Hash.parse(info.getString("narHash")).toNixString(), out.getJsonArray("clusters").getJsonObject(0).getString("hash"));
      // Both derivations (dep and top with its two outputs) were reported.
      assertEquals(2, new JsonArray(c.get("/derivations/").body()).size(), log);
      assertTrue(!Files.exists(spool) || Files.list(spool).noneMatch(p -> p.toString().endsWith(".json")), "nothing left in the spool");
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aServerThatIsDownNeverFailsTheBuildAndTheReportIsSentLater(Dialect d) throws Exception {
    RealNix nix = new RealNix(tmp.resolve("nix"));
    SecretKey key = SecretKey.generate("offline-1");
    Path keyFile = Files.writeString(tmp.resolve("key"), key.toString());
    Path tokenFile = Files.writeString(tmp.resolve("token"), "not-yet-known-token");
    Path spool = tmp.resolve("spool");
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Path hook = hookScript("http://127.0.0.1:" + closedPort, tokenFile, keyFile, nix, spool);
    String top = nix.buildInputAddressed("--option", "post-build-hook", hook.toString());
    assertTrue(top.endsWith("-top"), "the build succeeded although the server is down");
    List<Path> spooled;
    try (Stream<Path> s = Files.list(spool)) {
      spooled = s.filter(p -> p.getFileName().toString().endsWith(".json")).toList();
    }
    assertEquals(2, spooled.size(), "one report per built derivation waits in the spool");

    try (TestServer server = TestServer.start(d)) {
      AttestClient c = new AttestClient(server);
      Files.writeString(tokenFile, c.user("late"));
      RealNix.Result flushed = nix.run(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
          System.getProperty("java.class.path"), "dev.cairn.server.Main", "hook", "flush", "--server", server.baseUrl(),
          "--token-file", tokenFile.toString(), "--spool", spool.toString());
      assertEquals(0, flushed.exit(), flushed.stderr());
      assertEquals("sent 2", flushed.out());
      assertEquals(2, new JsonArray(c.get("/derivations/").body()).size());
    }
  }
}
