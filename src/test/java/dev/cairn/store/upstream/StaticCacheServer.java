package dev.cairn.store.upstream;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's nginx serving a directory (e.g. binary caches written by {@code nix copy --to
 * file://…}) on a free loopback port, as an upstream cache, with an access log of
 * {@code METHOD URI STATUS} lines to count what Cairn asked for. A missing nginx fails the test.
 */
final class StaticCacheServer implements AutoCloseable {
  private static final Path NGINX = Path.of("/usr/sbin/nginx");

  private final Process process;
  private final int port;
  private final Path accessLog;

  private StaticCacheServer(Process process, int port, Path accessLog) {
    this.process = process;
    this.port = port;
    this.accessLog = accessLog;
  }

  static StaticCacheServer serve(Path root, Path work) throws Exception {
    if (!Files.isExecutable(NGINX)) {
      throw new IllegalStateException(NGINX + " is missing: apt-get install nginx-light");
    }
    Files.createDirectories(work.resolve("tmp"));
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path log = work.resolve("access.log");
    String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
    String tmp = work.resolve("tmp").toString();
    Path conf = Files.writeString(work.resolve("nginx.conf"), user + """
        daemon off;
        master_process off;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log;
        events { worker_connections 256; }
        http {
          log_format plain '$request_method $uri $status';
          access_log %2$s plain;
          client_body_temp_path %3$s;
          proxy_temp_path %3$s;
          fastcgi_temp_path %3$s;
          uwsgi_temp_path %3$s;
          scgi_temp_path %3$s;
          default_type application/octet-stream;
          server {
            listen 127.0.0.1:%4$d;
            root %5$s;
            location / { }
          }
        }
        """.formatted(work, log, tmp, port, root));
    Process p = new ProcessBuilder(NGINX.toString(), "-p", work.toString(), "-e", work.resolve("error.log").toString(), "-c", conf.toString())
        .redirectErrorStream(true).redirectOutput(work.resolve("nginx.out").toFile()).start();
    StaticCacheServer server = new StaticCacheServer(p, port, log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return server;
      } catch (IOException e) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          server.close();
          throw new IllegalStateException("nginx did not start: " + Files.readString(work.resolve("nginx.out"))
              + (Files.exists(work.resolve("error.log")) ? Files.readString(work.resolve("error.log")) : ""));
        }
        Thread.sleep(50);
      }
    }
  }

  String url(String under) {
    return "http://127.0.0.1:" + port + "/" + under;
  }

  /** Access log lines ({@code METHOD URI STATUS}) whose URI contains {@code part}. */
  List<String> requests(String part) throws IOException {
    if (!Files.exists(accessLog)) {
      return List.of();
    }
    return Files.readAllLines(accessLog).stream().filter(l -> l.split(" ")[1].contains(part)).toList();
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
