package dev.cairn.server.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.castore.CastoreFixture;
import dev.cairn.castore.NarIngester;
import dev.cairn.castore.Node;
import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.nix.RealNix;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two streaming adapters over a real HTTP server and a real store: a NAR upload ingested as
 * it arrives (never buffered whole) and a rendering written with back-pressure.
 */
class StreamingAdaptersTest {
  static final long LIMIT = 64L << 20;
  static CastoreFixture store;
  static HttpServer server;
  static final Map<String, Node> roots = new ConcurrentHashMap<>();
  static final AtomicBoolean renderFinished = new AtomicBoolean();

  @BeforeAll
  static void start() throws Exception {
    store = CastoreFixture.create(Dialect.SQLITE);
    server = TestDatabase.await(store.vertx.createHttpServer().requestHandler(req -> {
      if (req.method().name().equals("PUT")) {
        StreamedNarUpload.ingest(req, store.ingester, store.store.narPool(), LIMIT).onComplete(ar -> {
          if (ar.succeeded()) {
            NarIngester.Result r = ar.result();
            roots.put(req.path(), r.root());
            req.response().end(r.narSha256().toString() + " " + r.narSize());
          } else if (ar.cause() instanceof BodyTooLargeException) {
            req.response().setStatusCode(413).end(ar.cause().getMessage());
          } else {
            req.response().setStatusCode(400).end(String.valueOf(ar.cause().getMessage()));
          }
        });
      } else {
        Node root = roots.get(req.path());
        renderFinished.set(false);
        req.response().setChunked(true);
        io.vertx.core.Context ctx = io.vertx.core.Vertx.currentContext();
        store.store.narPool().executeBlocking(() -> {
          try (ResponseOutputStream out = new ResponseOutputStream(req.response(), ctx, 1 << 20, 64 << 10, 30_000)) {
            store.renderer.render(root, out);
          }
          renderFinished.set(true);
          return null;
        }, false);
      }
    }).listen(0, "127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    TestDatabase.await(server.close());
    store.close();
  }

  static byte[] dump(Path tree) throws Exception {
    Process p = new ProcessBuilder("nix-store", "--dump", tree.toString()).start();
    byte[] nar = p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor());
    return nar;
  }

  static Path tree(Path dir, int files, int size) throws Exception {
    Random r = new Random(5);
    Files.createDirectories(dir.resolve("sub"));
    for (int i = 0; i < files; i++) {
      byte[] b = new byte[size];
      r.nextBytes(b);
      Files.write(dir.resolve(i % 2 == 0 ? "f" + i : "sub/g" + i), b);
    }
    Files.createSymbolicLink(dir.resolve("link"), Path.of("sub/g1"));
    return dir;
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  @Test
  void ingestsAStreamedUploadLikeADirectIngest(@TempDir Path tmp) throws Exception {
    byte[] nar = dump(tree(tmp.resolve("t"), 12, 2_000_000));
    HttpResponse<String> resp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url("/a")))
        .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(nar))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, resp.statusCode(), resp.body());
    NarIngester.Result direct = store.ingester.ingest(new ByteArrayInputStream(nar));
    assertEquals(direct.narSha256() + " " + nar.length, resp.body());
    assertEquals(direct.root(), roots.get("/a"));

    HttpResponse<byte[]> back = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url("/a"))).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertArrayEquals(nar, back.body());
  }

  @Test
  void refusesABodyOverTheLimitWith413(@TempDir Path tmp) throws Exception {
    byte[] nar = dump(tree(tmp.resolve("big"), 40, 2_000_000));
    assertTrue(nar.length > LIMIT);
    HttpResponse<String> resp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url("/big")))
        .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(nar))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(413, resp.statusCode());
    assertFalse(roots.containsKey("/big"));
  }

  @Test
  void rejectsAMalformedNar() throws Exception {
    byte[] junk = "nix-archive-1 but not really".getBytes(StandardCharsets.US_ASCII);
    HttpResponse<String> resp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url("/junk")))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(junk)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, resp.statusCode());
  }

  @Test
  void aClientThatDoesNotReadHoldsTheRendererBack(@TempDir Path tmp) throws Exception {
    byte[] nar = dump(tree(tmp.resolve("slow"), 30, 2_000_000)); // 60 MB: far more than socket buffers
    HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url("/slow")))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(nar)).build(), HttpResponse.BodyHandlers.ofString());
    try (Socket s = new Socket("127.0.0.1", server.actualPort())) {
      s.setReceiveBufferSize(64 << 10);
      s.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      Thread.sleep(3000);
      assertFalse(renderFinished.get(), "the renderer ran ahead of a client that read nothing");
      InputStream in = s.getInputStream();
      s.setSoTimeout(30_000);
      byte[] buf = new byte[1 << 16];
      long total = 0;
      byte[] tail = new byte[5];
      while (true) {
        int n = in.read(buf);
        if (n < 0) {
          break;
        }
        total += n;
        for (int i = 0; i < n; i++) {
          System.arraycopy(tail, 1, tail, 0, 4);
          tail[4] = buf[i];
        }
        if (new String(tail, StandardCharsets.US_ASCII).equals("0\r\n\r\n")) {
          break; // the last chunk of a chunked response
        }
      }
      assertTrue(total >= nar.length, "read " + total);
    }
  }
}
