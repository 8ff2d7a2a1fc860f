package dev.cairn.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.IntVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn serve} logs which BLAKE3 hasher runs: the SIMD one when the Vector API module is
 * enabled the way k8s/cairn.yaml enables it ({@code JAVA_TOOL_OPTIONS=--add-modules=...}), the
 * scalar one, with the reason, when it is not. Both servers start and answer.
 */
class StartupLogsBlake3HasherTest {
  private static String serveAndReadLog(Path dir, Map<String, String> javaEnv) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(javaEnv);
    env.put("CAIRN_DATA_DIR", dir.resolve("data").toString());
    env.put("CAIRN_HTTP_REQUEST_LOG", "false");
    Path log = dir.resolve("server.log");
    try (ServerProcess server = ServerProcess.start(env, ServerProcess.freePort(), log)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!server.log().contains("BLAKE3: ") && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      return server.log();
    }
  }

  @Test
  void logsSimdWithTheModuleAsTheKubernetesManifestEnablesIt(@TempDir Path dir) throws Exception {
    String k8sOptions = Files.readString(Path.of("k8s/cairn.yaml")).lines()
        .filter(l -> l.contains("JAVA_TOOL_OPTIONS")).findFirst().orElseThrow()
        .replaceAll(".*value: \"([^\"]*)\".*", "$1");
    assertTrue(k8sOptions.contains("--add-modules=jdk.incubator.vector"), k8sOptions);
    String log = serveAndReadLog(dir, Map.of("JAVA_TOOL_OPTIONS", k8sOptions));
    String expected = IntVector.SPECIES_PREFERRED.vectorBitSize() >= 256 ? "BLAKE3: SIMD, " : "BLAKE3: scalar (this CPU";
    assertTrue(log.contains(expected), log);
  }

  @Test
  void logsScalarAndWhyWithoutTheModule(@TempDir Path dir) throws Exception {
    String log = serveAndReadLog(dir, Map.of());
    assertTrue(log.contains("BLAKE3: scalar (module jdk.incubator.vector not enabled"), log);
  }
}
