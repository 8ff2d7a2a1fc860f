package dev.cairn.server.http;

import dev.cairn.db.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code cairn serve} as its own JVM (own heap, own flags), on a test database, logging to a file. */
final class ServerProcess implements AutoCloseable {
  final Process process;
  final int port;
  final Path log;

  private ServerProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  static ServerProcess start(TestDatabase db, Path log, List<String> jvmFlags, Map<String, String> settings) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmFlags);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.cairn.server.Main", "serve"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("CAIRN_"));
    pb.environment().put("CAIRN_DATA_DIR", db.dataDir().toString());
    pb.environment().put("CAIRN_DATABASE_URL", db.url());
    pb.environment().put("CAIRN_HTTP_PORT", String.valueOf(port));
    pb.environment().put("CAIRN_HTTP_REQUEST_LOG", "false");
    pb.environment().putAll(settings);
    Process p = pb.start();
    ServerProcess server = new ServerProcess(p, port, log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (server.healthz(2000) != 200) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IllegalStateException("server did not start: " + Files.readString(log));
      }
      Thread.sleep(200);
    }
    return server;
  }

  /** The status of GET /healthz on a fresh connection, or -1 if none came within {@code timeoutMillis}. */
  int healthz(int timeoutMillis) {
    try (Socket s = new Socket()) {
      s.connect(new java.net.InetSocketAddress("127.0.0.1", port), timeoutMillis);
      s.setSoTimeout(timeoutMillis);
      s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes());
      byte[] head = s.getInputStream().readNBytes(12);
      return head.length == 12 ? Integer.parseInt(new String(head, 9, 3)) : -1;
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  String log() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
