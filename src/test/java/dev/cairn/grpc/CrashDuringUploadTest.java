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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of the server in the middle of a 1 GB blob upload leaves no partial blob, and a retry succeeds. */
class CrashDuringUploadTest {
  private static final long SIZE = 1L << 30;

  @TempDir
  Path tmp;

  private Process server(Path data, int port) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"), "dev.cairn.server.Main", "serve")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("server.log").toFile()));
    pb.environment().put("CAIRN_DATA_DIR", data.toString());
    pb.environment().put("CAIRN_HTTP_PORT", String.valueOf(port));
    pb.environment().remove("CAIRN_DATABASE_URL");
    Process p = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return p;
      } catch (java.io.IOException notYet) {
        Thread.sleep(200);
      }
    }
    throw new AssertionError("server did not start: " + Files.readString(tmp.resolve("server.log")));
  }

  private String token;

  private Process python(Path gen, String cmd, int port) throws Exception {
    return new ProcessBuilder("/usr/bin/python3", "src/test/python/crash_upload.py", cmd, "127.0.0.1:" + port, gen.toString(), "7",
        String.valueOf(SIZE), token).redirectError(ProcessBuilder.Redirect.appendTo(tmp.resolve("client.log").toFile())).start();
  }

  private static String lastLine(Process p) throws Exception {
    String last = "";
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        last = line;
      }
    }
    assertTrue(p.waitFor(600, TimeUnit.SECONDS));
    return last;
  }

  @Test
  void killedMidUploadLeavesNoPartialBlobAndARetrySucceeds() throws Exception {
    Path gen = PythonStubs.generate(tmp);
    Path data = tmp.resolve("data");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process first = server(data, port);
    token = ServerProcess.createUser(Map.of("CAIRN_DATA_DIR", data.toString()), "uploader");
    Process upload = python(gen, "put", port);
    try (BufferedReader r = new BufferedReader(new InputStreamReader(upload.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null && !line.equals("progress " + (384L << 20))) {
        // wait until about a third of the blob is on its way
      }
      first.destroyForcibly();
      assertTrue(first.waitFor(30, TimeUnit.SECONDS));
    }
    upload.waitFor(60, TimeUnit.SECONDS);

    Process second = server(data, port);
    try {
      assertEquals("absent", lastLine(python(gen, "stat", port)), "no partial blob is visible after the crash");
      try (Stream<Path> leftovers = Files.list(data.resolve("blobs/tmp"))) {
        assertEquals(0, leftovers.count(), "interrupted upload files are removed at start");
      }
      String digest = lastLine(python(gen, "digest", port));
      assertEquals(digest, lastLine(python(gen, "put", port)), "the retry stores the whole blob under its BLAKE3");
      assertEquals("present", lastLine(python(gen, "stat", port)));
    } finally {
      second.destroy();
      second.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
