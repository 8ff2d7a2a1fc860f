package dev.cairn.server.http;

import dev.cairn.server.ServerProcess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.users.UserName;
import dev.cairn.users.UserService;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The attacks at once, against a real server process with a 64 MiB heap, for a
 * bounded time: hundreds of idle connections (re-opened as the server closes them),
 * slowloris senders, anonymous clients pushing 250 MB bodies, writers pushing bodies larger
 * than the memory budget. /healthz must answer within a bound throughout and afterwards, and
 * the process must neither die nor leave memory behind.
 */
class AbuseTest {
  private static final long ATTACK_MILLIS = 12_000;
  private static final int IDLE = 400;
  private static final int SLOWLORIS = 40;
  private static final int HEALTH_BOUND_MILLIS = 2_000;

  @TempDir
  Path tmp;

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void healthzKeepsAnsweringUnderIdleSlowAndOversizedClients(Dialect d) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestDatabase db = TestDatabase.create(vertx, d)) {
      String token = TestDatabase.await(new UserService(db.db()).create(new UserName("writer"), Optional.empty())).token();
      // The launcher's flags (README), a small heap, and a body budget sized for it.
      try (ServerProcess server = ServerProcess.start(db, tmp.resolve("server.log"), List.of("-Xmx64m", "-XX:+ExitOnOutOfMemoryError"), Map.of(
          "CAIRN_HTTP_MAX_CONNECTIONS", "2000",
          "CAIRN_HTTP_HEADER_TIMEOUT_SECONDS", "2",
          "CAIRN_HTTP_IDLE_TIMEOUT_SECONDS", "5",
          "CAIRN_HTTP_BODY_TIMEOUT_SECONDS", "5",
          "CAIRN_HTTP_MAX_BODY_BYTES_IN_FLIGHT", String.valueOf(16 << 20),
          "CAIRN_ATTEST_MAX_REPORT_BYTES", String.valueOf(12 << 20)))) {
        long end = System.currentTimeMillis() + ATTACK_MILLIS;
        ExecutorService attackers = Executors.newFixedThreadPool(12);
        ConcurrentLinkedQueue<Socket> open = new ConcurrentLinkedQueue<>();
        AtomicLong anonymousRefused = new AtomicLong();
        List<Future<?>> running = new ArrayList<>();
        try {
          running.add(attackers.submit(() -> idle(server.port(), end, open)));
          running.add(attackers.submit(() -> slowloris(server.port(), end)));
          for (int i = 0; i < 6; i++) {
            running.add(attackers.submit(() -> oversized(server.port(), end, null, 250_000_000L, anonymousRefused)));
          }
          for (int i = 0; i < 3; i++) {
            // Within the route's limit, together over the memory budget: spooled, then 503 or 422.
            running.add(attackers.submit(() -> oversized(server.port(), end, token, 10_000_000L, new AtomicLong())));
          }
          List<Long> latencies = new ArrayList<>();
          while (System.currentTimeMillis() < end) {
            long start = System.nanoTime();
            int status = server.healthz(HEALTH_BOUND_MILLIS);
            long took = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, status, "/healthz during the attack (after " + latencies.size() + " checks, " + took + " ms): " + tail(server));
            latencies.add(took);
            Thread.sleep(100);
          }
          for (Future<?> f : running) {
            f.get(30, TimeUnit.SECONDS);
          }
          assertTrue(latencies.size() > 20, "checks: " + latencies.size());
          assertTrue(anonymousRefused.get() > 0, "anonymous bodies were refused");
        } finally {
          attackers.shutdownNow();
          for (Socket s : open) {
            s.close();
          }
          attackers.awaitTermination(10, TimeUnit.SECONDS);
        }
        assertTrue(server.process().isAlive(), "the server survived: " + tail(server));
        assertEquals(200, server.healthz(1000), "and answers afterwards");
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static String tail(ServerProcess server) {
    try {
      List<String> lines = server.log().lines().toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** Keeps {@link #IDLE} silent connections open, replacing each one the server closes. */
  private static Void idle(int port, long end, ConcurrentLinkedQueue<Socket> open) throws Exception {
    while (System.currentTimeMillis() < end) {
      open.removeIf(s -> {
        try {
          s.setSoTimeout(1);
          if (s.getInputStream().read() < 0) {
            s.close();
            return true;
          }
          return false;
        } catch (java.net.SocketTimeoutException stillOpen) {
          return false;
        } catch (IOException closed) {
          return true;
        }
      });
      while (open.size() < IDLE && System.currentTimeMillis() < end) {
        open.add(new Socket("127.0.0.1", port));
      }
      Thread.sleep(200);
    }
    return null;
  }

  /** {@link #SLOWLORIS} connections each sending a header line every 500 ms, reconnecting when cut off. */
  private static Void slowloris(int port, long end) throws Exception {
    List<Socket> sockets = new ArrayList<>();
    try {
      int line = 0;
      while (System.currentTimeMillis() < end) {
        sockets.removeIf(Socket::isClosed);
        while (sockets.size() < SLOWLORIS) {
          Socket s = new Socket("127.0.0.1", port);
          s.getOutputStream().write("GET /healthz HTTP/1.1\r\n".getBytes());
          sockets.add(s);
        }
        for (Socket s : sockets) {
          try {
            s.getOutputStream().write(("X-Slow-" + line + ": a\r\n").getBytes());
          } catch (IOException cutOff) {
            s.close();
          }
        }
        line++;
        Thread.sleep(500);
      }
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
    return null;
  }

  /** Pushes a PUT of {@code length} bytes of blanks as fast as the server takes it, again and again. */
  private static Void oversized(int port, long end, String token, long length, AtomicLong refused) throws Exception {
    byte[] chunk = new byte[256 << 10];
    Arrays.fill(chunk, (byte) ' ');
    while (System.currentTimeMillis() < end) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.setSoTimeout(5000);
        OutputStream out = s.getOutputStream();
        String auth = token == null ? "" : "Authorization: Bearer " + token + "\r\n";
        out.write(("PUT /reports/flood HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: " + length + "\r\n\r\n").getBytes());
        long sent = 0;
        while (sent < length && System.currentTimeMillis() < end) {
          int n = (int) Math.min(chunk.length, length - sent);
          out.write(chunk, 0, n);
          sent += n;
        }
        if (sent == length) {
          // An answer (422 for blanks, 503 when the budget is taken) must come.
          int first = s.getInputStream().read();
          assertTrue(first == 'H', "an answer to a complete body");
        }
      } catch (IOException cutOff) {
        refused.incrementAndGet();
      }
    }
    return null;
  }
}
