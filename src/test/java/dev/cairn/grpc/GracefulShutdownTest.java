package dev.cairn.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.server.ServerProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM while a large gRPC Read is in flight: the read completes intact, then the server exits. */
class GracefulShutdownTest {
  private static final long SIZE = 96L << 20;

  @TempDir
  Path tmp;

  private String token;

  private Process python(Path gen, String cmd, int port) throws Exception {
    return new ProcessBuilder("/usr/bin/python3", "src/test/python/crash_upload.py", cmd, "127.0.0.1:" + port, gen.toString(), "9",
        String.valueOf(SIZE), token).redirectError(ProcessBuilder.Redirect.appendTo(tmp.resolve("client.log").toFile())).start();
  }

  @Test
  void inFlightReadFinishesAfterSigterm() throws Exception {
    Path gen = PythonStubs.generate(tmp);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), "dev.cairn.server.Main", "serve")
        .redirectErrorStream(true).redirectOutput(tmp.resolve("server.log").toFile());
    pb.environment().put("CAIRN_DATA_DIR", tmp.resolve("data").toString());
    pb.environment().put("CAIRN_HTTP_PORT", String.valueOf(port));
    pb.environment().remove("CAIRN_DATABASE_URL");
    Process server = pb.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      boolean up = false;
      while (!up && System.nanoTime() < deadline) {
        try (Socket s = new Socket("127.0.0.1", port)) {
          up = true;
        } catch (java.io.IOException notYet) {
          Thread.sleep(200);
        }
      }
      assertTrue(up, "server started");
      token = ServerProcess.createUser(Map.of("CAIRN_DATA_DIR", tmp.resolve("data").toString()), "uploader");
      Process put = python(gen, "put", port);
      put.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
      assertEquals(0, put.waitFor(), Files.readString(tmp.resolve("client.log")));

      Process read = python(gen, "slowread", port);
      String last;
      try (BufferedReader r = new BufferedReader(new InputStreamReader(read.getInputStream(), StandardCharsets.UTF_8))) {
        assertEquals("reading", r.readLine(), Files.readString(tmp.resolve("client.log")));
        server.destroy(); // SIGTERM, as Kubernetes or systemd send it
        last = r.readLine();
      }
      assertTrue(read.waitFor(120, TimeUnit.SECONDS));
      assertEquals("read " + SIZE + " OK", last, "the in-flight read completed intact: " + Files.readString(tmp.resolve("client.log")));
      assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the server exits after draining");
      assertTrue(Files.readString(tmp.resolve("server.log")).contains("shutting down: finishing in-flight requests"));
    } finally {
      server.destroyForcibly();
    }
  }
}
