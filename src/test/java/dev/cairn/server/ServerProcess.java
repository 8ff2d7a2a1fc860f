package dev.cairn.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Cairn as its own operating-system process ({@code dev.cairn.server.Main} on the test class
 * path), configured by CAIRN_* variables exactly as an operator would: for tests that kill,
 * signal or replicate servers. Output goes to a log file.
 */
public final class ServerProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;

  private ServerProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static List<String> java(List<String> jvmOptions, String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.cairn.server.Main"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static void configure(ProcessBuilder pb, Map<String, String> env) {
    pb.environment().keySet().removeIf(k -> k.startsWith("CAIRN_"));
    pb.environment().putAll(env);
  }

  /** {@code cairn serve} on {@code port} (set as CAIRN_HTTP_PORT), waiting until /healthz answers 200. */
  public static ServerProcess start(Map<String, String> env, int port, Path log, String... jvmOptions) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(java(List.of(jvmOptions), "serve")).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    configure(pb, env);
    pb.environment().put("CAIRN_HTTP_PORT", String.valueOf(port));
    Process p = pb.start();
    ServerProcess server = new ServerProcess(p, port, log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && p.isAlive()) {
      if (server.healthz(2000) == 200) {
        return server;
      }
      Thread.sleep(200);
    }
    p.destroyForcibly();
    throw new AssertionError("server did not start: " + Files.readString(log));
  }

  /**
   * {@code cairn serve} on a test database (its data dir and URL) with extra JVM flags and
   * settings, on a free port, without request logging.
   */
  public static ServerProcess start(dev.cairn.db.TestDatabase db, Path log, List<String> jvmFlags, Map<String, String> settings)
      throws Exception {
    Map<String, String> env = new java.util.HashMap<>();
    env.put("CAIRN_DATA_DIR", db.dataDir().toString());
    env.put("CAIRN_DATABASE_URL", db.url());
    env.put("CAIRN_HTTP_REQUEST_LOG", "false");
    env.putAll(settings);
    return start(env, freePort(), log, jvmFlags.toArray(String[]::new));
  }

  /** The status of GET /healthz on a fresh connection, or -1 if none came within {@code timeoutMillis}. */
  public int healthz(int timeoutMillis) {
    try (Socket s = new Socket()) {
      s.connect(new java.net.InetSocketAddress("127.0.0.1", port), timeoutMillis);
      s.setSoTimeout(timeoutMillis);
      s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] head = s.getInputStream().readNBytes(12);
      return head.length == 12 ? Integer.parseInt(new String(head, 9, 3, StandardCharsets.US_ASCII)) : -1;
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  /** Runs an admin command ({@code user create NAME}, ...) against the same configuration; answers its standard output. */
  public static String cli(Map<String, String> env, String... args) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(java(List.of(), args));
    configure(pb, env);
    Process p = pb.redirectError(ProcessBuilder.Redirect.PIPE).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError("cairn " + String.join(" ", args) + " failed: " + out + err);
    }
    return out;
  }

  /** A new user's token, created with {@code cairn user create}. */
  public static String createUser(Map<String, String> env, String name) throws Exception {
    return cli(env, "user", "create", name).strip();
  }

  public Process process() {
    return process;
  }

  public int port() {
    return port;
  }

  public String target() {
    return "127.0.0.1:" + port;
  }

  public String log() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
