package dev.cairn.server.http;

import dev.cairn.server.ServerProcess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.users.UserName;
import dev.cairn.users.UserService;
import io.vertx.core.Vertx;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A server whose limits were set far above its heap (every body in memory, a 1 TiB budget)
 * is driven out of memory by authenticated uploads. It must then exit (so that Kubernetes
 * restarts it) or keep answering; it must never hang. The JVM runs without
 * -XX:+ExitOnOutOfMemoryError, so it is Cairn's own handler that is tested.
 */
class OutOfMemoryExitTest {
  @TempDir
  Path tmp;

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void outOfMemoryEndsTheProcessInsteadOfHangingIt(Dialect d) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestDatabase db = TestDatabase.create(vertx, d)) {
      String token = TestDatabase.await(new UserService(db.db()).create(new UserName("writer"), Optional.empty())).token();
      try (ServerProcess server = ServerProcess.start(db, tmp.resolve("server.log"), List.of("-Xmx64m"), Map.of(
          "CAIRN_HTTP_MAX_BODY_BYTES_IN_FLIGHT", String.valueOf(1L << 40),
          "CAIRN_HTTP_BODY_SPOOL_THRESHOLD_BYTES", String.valueOf(1L << 40),
          "CAIRN_ATTEST_MAX_REPORT_BYTES", String.valueOf(1L << 31)))) {
        ExecutorService uploads = Executors.newFixedThreadPool(4);
        List<Socket> sockets = new ArrayList<>();
        try {
          for (int i = 0; i < 4; i++) {
            Socket s = new Socket("127.0.0.1", server.port());
            sockets.add(s);
            uploads.submit(() -> {
              OutputStream out = s.getOutputStream();
              out.write(("POST /api/v1/attestations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                  + "\r\nContent-Length: 2000000000\r\n\r\n").getBytes());
              byte[] chunk = new byte[1 << 20];
              java.util.Arrays.fill(chunk, (byte) ' ');
              for (int k = 0; k < 1500 && server.process().isAlive(); k++) {
                out.write(chunk);
              }
              return null;
            });
          }
          boolean exited = server.process().waitFor(45, TimeUnit.SECONDS);
          if (exited) {
            assertEquals(OutOfMemoryExit.EXIT_CODE, server.process().exitValue(), server.log());
            assertTrue(server.log().contains("cairn: out of memory"), server.log());
          } else {
            assertEquals(200, server.healthz(5000), "still running, so it must still answer: " + server.log());
          }
        } finally {
          for (Socket s : sockets) {
            s.close();
          }
          uploads.shutdownNow();
          uploads.awaitTermination(10, TimeUnit.SECONDS);
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
