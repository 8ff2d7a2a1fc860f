package dev.cairn.store.upstream;

import static dev.cairn.store.upstream.UpstreamPullThroughTest.get;
import static dev.cairn.store.upstream.UpstreamPullThroughTest.stored;
import static dev.cairn.store.upstream.UpstreamPullThroughTest.upstreams;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.NarInfo;
import dev.cairn.nix.NarWriter;
import dev.cairn.nix.RealNix;
import dev.cairn.nix.SecretKey;
import dev.cairn.nix.StorePath;
import dev.cairn.server.TestServer;
import dev.cairn.users.Role;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What Cairn refuses from upstreams, and what it does not do: a narinfo signed by an untrusted key,
 * a tampered NAR and a tampered narinfo are refused with a 502 naming the reason and leave nothing
 * stored; a silent upstream is a 504 within the timeout; concurrent requests for one path make
 * one upstream fetch and a miss is remembered; {@code nix copy --to} into Cairn makes no upstream
 * request at all. (Refusals are decided before anything reaches SQL: one dialect suffices.)
 */
class UpstreamRefusalTest {
  @TempDir
  static Path shared;
  static UpstreamCache up;
  static Path www;

  @TempDir
  Path tmp;

  @BeforeAll
  static void publish() throws Exception {
    up = UpstreamCache.build(shared.resolve("up"), "upstream-1");
    www = Files.createDirectories(shared.resolve("www"));
    up.publish(www.resolve("good"), "none", up.top);
    // dep's NAR with one byte of its contents changed (same size); its narinfo untouched.
    up.publish(www.resolve("badnar"), "none", up.dep);
    String uuid = Files.readString(up.nix.realPath(up.dep)).strip();
    Path nar = onlyNar(www.resolve("badnar"));
    String text = Files.readString(nar, StandardCharsets.ISO_8859_1);
    assertTrue(text.contains(uuid));
    Files.writeString(nar, text.replace(uuid, uuid.substring(0, uuid.length() - 1) + (uuid.endsWith("0") ? "1" : "0")), StandardCharsets.ISO_8859_1);
    // dep's narinfo claiming another NarSize than the signed one.
    up.publish(www.resolve("badinfo"), "none", up.dep);
    Path info = www.resolve("badinfo").resolve(UpstreamCache.hashPart(up.dep) + ".narinfo");
    Files.writeString(info, Files.readString(info).replaceAll("NarSize: (\\d+)", "NarSize: 1$1"));
  }

  private static Path onlyNar(Path cache) throws Exception {
    try (var files = Files.list(cache.resolve("nar"))) {
      return files.filter(f -> f.toString().endsWith(".nar")).findFirst().orElseThrow();
    }
  }

  @Test
  void untrustedKeyTamperedNarAndTamperedNarInfoAreRefusedAndNothingIsStored() throws Exception {
    String otherKey = otherPublicKey();
    record Case(String cache, String key, String path, String reason) {}
    List<Case> cases = List.of(
        new Case("good", otherKey, up.top, "no valid signature by a trusted key"),
        new Case("badnar", up.publicKey, up.dep, "does not match its narinfo"),
        new Case("badinfo", up.publicKey, up.dep, "no valid signature by a trusted key"));
    try (StaticCacheServer nginx = StaticCacheServer.serve(www, Files.createDirectories(tmp.resolve("nginx")))) {
      for (Case c : cases) {
        try (TestServer cairn = TestServer.start(Dialect.SQLITE, Map.of("CAIRN_CACHE_UPSTREAMS", upstreams(c.key, nginx.url(c.cache))))) {
          HttpResponse<String> refused = get(cairn.baseUrl() + "/" + UpstreamCache.hashPart(c.path) + ".narinfo");
          assertEquals(502, refused.statusCode(), c + ": " + refused.body());
          assertTrue(refused.body().contains(c.reason) && refused.body().contains(nginx.url(c.cache)), c + ": " + refused.body());
          RealNix dst = new RealNix(tmp.resolve("dst-" + c.cache));
          RealNix.Result copy = dst.run("nix", "copy", "--from", cairn.baseUrl(), "--to", dst.store(), "--option", "require-sigs", "false",
              "--option", "substituters", "", c.path);
          assertNotEquals(0, copy.exit(), c + ": " + copy.stderr());
          for (String p : List.of(up.top, up.lib, up.dep)) {
            assertTrue(stored(cairn, p).isEmpty(), c + ": nothing stored, but " + p + " was");
          }
        }
      }
    }
  }

  /** Hand-made signed narinfos: two paths naming each other, and a path whose reference no upstream has. */
  @Test
  void aReferenceCycleAndAMissingReferenceAreRefusedNotAwaited() throws Exception {
    Path cache = Files.createDirectories(tmp.resolve("www/crafted/nar"));
    Path file = Files.writeString(tmp.resolve("f"), "crafted\n");
    ByteArrayOutputStream nar = new ByteArrayOutputStream();
    NarWriter.dump(file, nar);
    Files.write(cache.resolve("x.nar"), nar.toByteArray());
    Hash narHash = new Hash(HashAlgorithm.SHA256,
        HashAlgorithm.SHA256.newDigest().digest(nar.toByteArray()));
    SecretKey key = SecretKey.generate("crafted-1");
    StorePath a = StorePath.parseBaseName("00bgd045z0d4icpbc2yyz4gx48ak44la-a");
    StorePath b = StorePath.parseBaseName("11bgd045z0d4icpbc2yyz4gx48ak44la-b");
    StorePath c = StorePath.parseBaseName("22bgd045z0d4icpbc2yyz4gx48ak44la-c");
    StorePath absent = StorePath.parseBaseName("33bgd045z0d4icpbc2yyz4gx48ak44la-d");
    for (var edge : List.of(List.of(a, b), List.of(b, a), List.of(c, absent))) {
      NarInfo info = new NarInfo(edge.get(0), "nar/x.nar", "none", Optional.empty(),
          Optional.empty(), narHash, nar.size(), List.of(edge.get(1)), Optional.empty(), Optional.empty(),
          List.of(), Optional.empty());
      info = new NarInfo(info.storePath(), info.url(), info.compression(), info.fileHash(), info.fileSize(), info.narHash(),
          info.narSize(), info.references(), info.deriver(), info.system(), List.of(key.sign(info.fingerprint())), info.ca());
      Files.writeString(cache.resolveSibling(edge.get(0).hashPart() + ".narinfo"), info.render());
    }
    try (StaticCacheServer nginx = StaticCacheServer.serve(tmp.resolve("www"), Files.createDirectories(tmp.resolve("nginx")));
         TestServer cairn = TestServer.start(Dialect.SQLITE, Map.of("CAIRN_CACHE_UPSTREAMS",
             upstreams(key.toPublicKey().toString(), nginx.url("crafted"))))) {
      HttpResponse<String> cycle = get(cairn.baseUrl() + "/" + a.hashPart() + ".narinfo");
      assertEquals(502, cycle.statusCode(), cycle.body());
      assertTrue(cycle.body().contains("reference cycle"), cycle.body());
      HttpResponse<String> dangling = get(cairn.baseUrl() + "/" + c.hashPart() + ".narinfo");
      assertEquals(502, dangling.statusCode(), dangling.body());
      assertTrue(dangling.body().contains(absent.baseName() + " of " + c.baseName() + " is in no upstream"), dangling.body());
      for (StorePath p : List.of(a, b, c)) {
        assertTrue(stored(cairn, p.fullPath()).isEmpty(), p + " stored");
      }
    }
  }

  @Test
  void aSilentUpstreamIsA504WithinTheTimeout() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
         TestServer cairn = TestServer.start(Dialect.SQLITE, Map.of("CAIRN_CACHE_UPSTREAMS",
             upstreams(up.publicKey, "http://127.0.0.1:" + silent.getLocalPort()), "CAIRN_CACHE_UPSTREAM_TIMEOUT", "2s"))) {
      List<Socket> held = new ArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            held.add(silent.accept()); // accepted, never answered
          }
        } catch (Exception closed) {
          // the test is over
        }
      });
      acceptor.start();
      long start = System.nanoTime();
      HttpResponse<String> answer = get(cairn.baseUrl() + "/" + UpstreamCache.hashPart(up.top) + ".narinfo");
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertEquals(504, answer.statusCode(), answer.body());
      assertTrue(answer.body().contains("timed out"), answer.body());
      assertTrue(millis >= 1_900 && millis < 10_000, "answered after " + millis + " ms");
      assertTrue(!held.isEmpty(), "Cairn connected to the upstream");
    }
  }

  @Test
  void anUnreachableUpstreamIsA502NamingIt() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    try (TestServer cairn = TestServer.start(Dialect.SQLITE, Map.of("CAIRN_CACHE_UPSTREAMS", upstreams(up.publicKey, "http://127.0.0.1:" + closed)))) {
      HttpResponse<String> answer = get(cairn.baseUrl() + "/" + UpstreamCache.hashPart(up.top) + ".narinfo");
      assertEquals(502, answer.statusCode(), answer.body());
      assertTrue(answer.body().contains("upstream http://127.0.0.1:" + closed + "/: GET /" + UpstreamCache.hashPart(up.top) + ".narinfo failed"),
          answer.body());
    }
  }

  @Test
  void concurrentRequestsShareOneFetchAndMissesAreRemembered() throws Exception {
    try (StaticCacheServer nginx = StaticCacheServer.serve(www, Files.createDirectories(tmp.resolve("nginx")));
         TestServer cairn = TestServer.start(Dialect.SQLITE, Map.of("CAIRN_CACHE_UPSTREAMS", upstreams(up.publicKey, nginx.url("good"))))) {
      String url = cairn.baseUrl() + "/" + UpstreamCache.hashPart(up.top) + ".narinfo";
      List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        all.add(UpstreamPullThroughTest.HTTP.sendAsync(HttpRequest.newBuilder(URI.create(url)).build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> f : all) {
        assertEquals(200, f.get().statusCode(), f.get().body());
        assertEquals(all.get(0).get().body(), f.get().body());
      }
      for (String p : List.of(up.top, up.lib, up.dep)) {
        assertEquals(1, nginx.requests(UpstreamCache.hashPart(p) + ".narinfo").size(), p + ": " + nginx.requests(""));
        assertTrue(stored(cairn, p).isPresent(), p);
      }
      assertEquals(3, nginx.requests("/nar/").size(), nginx.requests("").toString());

      String absent = cairn.baseUrl() + "/00bgd045z0d4icpbc2yyz4gx48ak44la.narinfo";
      assertEquals(404, get(absent).statusCode());
      assertEquals(404, get(absent).statusCode());
      assertEquals(1, nginx.requests("00bgd045z0d4icpbc2yyz4gx48ak44la").size(), "the miss is remembered");
    }
  }

  /** A client holding a narinfo from another Cairn asks for the NAR first: that pulls the path too. */
  @Test
  void aNarUrlPullsThePathThrough() throws Exception {
    Hash narHash = Hash.parse(new io.vertx.core.json.JsonArray(up.nix.pathInfoJson(up.lib)).getJsonObject(0).getString("narHash"));
    try (StaticCacheServer nginx = StaticCacheServer.serve(www, Files.createDirectories(tmp.resolve("nginx")));
         TestServer cairn = TestServer.start(Dialect.SQLITE, Map.of("CAIRN_CACHE_UPSTREAMS", upstreams(up.publicKey, nginx.url("good"))))) {
      HttpResponse<byte[]> nar = UpstreamPullThroughTest.HTTP.send(HttpRequest.newBuilder(URI.create(cairn.baseUrl() + "/nar/"
          + UpstreamCache.hashPart(up.lib) + "-" + narHash.toNix32() + ".nar")).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, nar.statusCode());
      assertEquals(narHash, new Hash(HashAlgorithm.SHA256, HashAlgorithm.SHA256.newDigest().digest(nar.body())));
      assertTrue(stored(cairn, up.lib).isPresent() && stored(cairn, up.dep).isPresent());
    }
  }

  @Test
  void nixCopyToCairnDownloadsNothingFromUpstream() throws Exception {
    try (StaticCacheServer nginx = StaticCacheServer.serve(www, Files.createDirectories(tmp.resolve("nginx")));
         TestServer cairn = TestServer.start(Dialect.SQLITE, Map.of("CAIRN_CACHE_UPSTREAMS", upstreams(up.publicKey, nginx.url("good"))))) {
      Path netrc = Files.writeString(tmp.resolve("netrc"), "machine 127.0.0.1 login x password " + cairn.createUser("pusher", Role.WRITER) + "\n");
      up.nix.ok("nix", "copy", "--from", up.nix.store(), "--to", cairn.baseUrl() + "?compression=zstd", "--option", "netrc-file", netrc.toString(),
          up.top);
      for (String p : List.of(up.top, up.lib, up.dep)) {
        assertTrue(stored(cairn, p).isPresent(), p);
      }
      assertEquals(List.of(), nginx.requests(""), "the upload's existence checks asked no upstream");
      // A reader's request for a path Cairn lacks does pull; a writer's does not.
      String unknown = "/" + "11bgd045z0d4icpbc2yyz4gx48ak44la" + ".narinfo";
      HttpResponse<String> asWriter = UpstreamPullThroughTest.HTTP.send(HttpRequest.newBuilder(URI.create(cairn.baseUrl() + unknown))
          .header("Authorization", "Bearer " + Files.readString(netrc).strip().replaceAll(".* ", "")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(404, asWriter.statusCode());
      assertEquals(List.of(), nginx.requests(""));
      assertEquals(404, get(cairn.baseUrl() + unknown).statusCode());
      assertEquals(1, nginx.requests("11bgd045z0d4icpbc2yyz4gx48ak44la").size());
    }
  }

  private String otherPublicKey() throws Exception {
    Path sec = tmp.resolve("other.sec");
    Path pub = tmp.resolve("other.pub");
    up.nix.ok("nix-store", "--generate-binary-cache-key", "upstream-1", sec.toString(), pub.toString());
    return Files.readString(pub).strip();
  }
}
