package dev.cairn.cache;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static dev.cairn.db.TestDatabase.await;

import dev.cairn.db.Dialect;
import dev.cairn.store.gc.GarbageCollector;
import dev.cairn.store.gc.GcOptions;
import java.time.Duration;
import dev.cairn.nix.RealNix;
import dev.cairn.nix.StorePath;
import dev.cairn.server.TestServer;
import dev.cairn.store.PathInfo;
import dev.cairn.store.gc.GarbageCollector;
import dev.cairn.store.gc.GcOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/** The read side beyond narinfo and NAR: listings, resumed downloads. */
class CacheReadSideTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir
  Path tmp;

  private Path tree() throws Exception {
    Path t = Files.createDirectories(tmp.resolve("tree/sub/deeper"));
    Files.writeString(t.resolve("hello"), "hello\n");
    byte[] big = new byte[700_003];
    new Random(3).nextBytes(big);
    Files.write(tmp.resolve("tree/sub/big"), big);
    Files.createDirectories(tmp.resolve("tree/empty"));
    Files.write(tmp.resolve("tree/empty-file"), new byte[0]);
    Path exe = Files.writeString(tmp.resolve("tree/run"), "#!/bin/sh\necho hi\n");
    Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createSymbolicLink(tmp.resolve("tree/link"), Path.of("sub/big"));
    Files.writeString(tmp.resolve("tree/ünïcode ✓"), "u");
    return tmp.resolve("tree");
  }

  /** {@link #tree()} added to a chroot store: the path, its `nix path-info --json` and its NAR. */
  private record Added(RealNix src, String path, JsonObject info, byte[] nar) {}

  private Added addTree() throws Exception {
    RealNix src = new RealNix(tmp.resolve("src"));
    String path = src.add(tree());
    return new Added(src, path, new JsonArray(src.pathInfoJson(path)).getJsonObject(0),
        src.ok("nix-store", "--dump", src.realPath(path).toString()).stdout());
  }

  @Test
  void listingsAreWhatNixWritesBesideItsNars() throws Exception {
    RealNix src = new RealNix(tmp.resolve("src"));
    String top = src.buildInputAddressed();
    String dirPath = src.add(tree());
    Path exeFile = Files.writeString(tmp.resolve("tool"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(exeFile, PosixFilePermissions.fromString("rwxr-xr-x"));
    String exePath = src.add(exeFile);
    Path fileCache = tmp.resolve("filecache");
    src.ok("nix", "copy", "--store", src.store(), "--to", "file://" + fileCache + "?compression=none&write-nar-listing=true",
        top, dirPath, exePath);
    try (TestServer server = TestServer.start(Dialect.SQLITE)) {
      for (String path : new String[] {top, dirPath, exePath}) {
        JsonObject info = new JsonArray(src.pathInfoJson(path)).getJsonObject(0);
        BinaryCacheTest.put(server.server().store(), info, src.ok("nix-store", "--dump", src.realPath(path).toString()).stdout());
        String hash = StorePath.parse(path).hashPart();
        HttpResponse<String> ours = get(server.baseUrl() + "/" + hash + ".ls");
        assertEquals(200, ours.statusCode(), ours.body());
        assertEquals("application/json", ours.headers().firstValue("Content-Type").orElseThrow());
        JsonObject nixs = new JsonObject(Files.readString(fileCache.resolve(hash + ".ls")));
        assertEquals(nixs, new JsonObject(ours.body()), path);
      }
      assertTrue(new JsonObject(get(server.baseUrl() + "/" + StorePath.parse(dirPath).hashPart() + ".ls").body())
          .getJsonObject("root").getJsonObject("entries").getJsonObject("sub").getJsonObject("entries").containsKey("big"));
      assertEquals(404, get(server.baseUrl() + "/" + "0".repeat(32) + ".ls").statusCode());
      assertEquals(400, get(server.baseUrl() + "/" + "e".repeat(32) + ".ls").statusCode());
    }
  }

  @Test
  void aDownloadResumedWithRangeIsTheWholeNar() throws Exception {
    Added added = addTree();
    RealNix src = added.src();
    String dirPath = added.path();
    JsonObject info = added.info();
    byte[] nar = added.nar();
    try (TestServer server = TestServer.start(Dialect.SQLITE)) {
      PathInfo stored = BinaryCacheTest.put(server.server().store(), info, nar);
      String url = server.baseUrl() + "/" + NarUrl.of(stored);
      // Where sub/big's contents start, from the listing (equal to Nix's, see above).
      int bigStart = new JsonObject(get(server.baseUrl() + "/" + StorePath.parse(dirPath).hashPart() + ".ls").body())
          .getJsonObject("root").getJsonObject("entries").getJsonObject("sub").getJsonObject("entries").getJsonObject("big")
          .getInteger("narOffset");
      assertArrayEquals(Arrays.copyOfRange(Files.readAllBytes(tmp.resolve("tree/sub/big")), 0, 64), Arrays.copyOfRange(nar, bigStart, bigStart + 64));
      int[] cuts = {1, 7, 8, 24, 100, 150, bigStart - 8, bigStart, bigStart + 1, bigStart + 123_457, bigStart + 700_003,
          nar.length - 17, nar.length - 8, nar.length - 1};
      for (int cut : cuts) {
        HttpResponse<byte[]> rest = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Range", "bytes=" + cut + "-").build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, rest.statusCode(), "cut at " + cut);
        assertEquals("bytes " + cut + "-" + (nar.length - 1) + "/" + nar.length, rest.headers().firstValue("Content-Range").orElseThrow());
        byte[] joined = Arrays.copyOf(nar, nar.length);
        System.arraycopy(rest.body(), 0, joined, cut, rest.body().length);
        assertEquals(nar.length - cut, rest.body().length, "cut at " + cut);
        assertArrayEquals(nar, joined, "cut at " + cut);
      }
      // curl -C - resumes a partial file the way a person would.
      Path partial = tmp.resolve("partial.nar");
      Files.write(partial, Arrays.copyOf(nar, bigStart + 4_321));
      src.ok("curl", "-sf", "-C", "-", "-o", partial.toString(), url);
      assertArrayEquals(nar, Files.readAllBytes(partial));
    }
  }

  /**
   * A chunk file changed on disk after the server verified (and, under the default
   * {@code castore.verify_reads: once}, trusted) it: the download is cut, never served with a
   * wrong byte, and Nix refuses the path.
   */
  @Test
  void aNarWithAChunkCorruptedOnDiskIsCutNotServed() throws Exception {
    Added added = addTree();
    byte[] nar = added.nar();
    try (TestServer server = TestServer.start(Dialect.SQLITE)) {
      PathInfo stored = BinaryCacheTest.put(server.server().store(), added.info(), nar);
      String url = server.baseUrl() + "/" + NarUrl.of(stored);
      HttpResponse<byte[]> first = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertArrayEquals(nar, first.body());

      Path chunks = ((dev.cairn.castore.chunks.FileChunkStore) server.server().store().chunkStore()).root().resolve("chunks");
      Path biggest;
      try (var files = Files.walk(chunks)) {
        biggest = files.filter(Files::isRegularFile).max(java.util.Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
      }
      Thread.sleep(20); // file times tick at the kernel clock's granularity, as for any real change
      try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(biggest.toFile(), "rw")) {
        raf.seek(raf.length() / 2);
        int b = raf.read();
        raf.seek(raf.length() / 2);
        raf.write(b ^ 1);
      }

      byte[] served;
      try {
        HttpResponse<byte[]> cut = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        served = cut.body();
        assertTrue(served.length < nar.length, "a full body was served: " + served.length);
      } catch (java.io.IOException reset) {
        served = new byte[0]; // the connection was reset mid-body
      }
      assertArrayEquals(Arrays.copyOf(nar, served.length), served);
      RealNix reader = new RealNix(tmp.resolve("reader"));
      assertFalse(reader.run("nix", "copy", "--from", server.baseUrl(), "--to", reader.store(), "--option", "require-sigs", "false",
          added.path()).exit() == 0, "nix copied a path whose NAR lost a chunk");
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void nixCopiesALogInAndReadsItBackAndGcKeepsIt(Dialect dialect) throws Exception {
    RealNix src = new RealNix(tmp.resolve("src"));
    Path bbdir = Files.createDirectories(tmp.resolve("src/logged/bbdir"));
    Files.copy(Path.of("/bin/busybox"), bbdir.resolve("busybox"));
    Path nixFile = Files.writeString(tmp.resolve("src/logged/logged.nix"), """
        derivation { name = "logged"; system = "x86_64-linux"; builder = "${./bbdir}/busybox";
                     args = [ "sh" "-c" "echo hello from the builder; echo to stderr >&2; echo x > $out" ]; }
        """);
    String out = src.ok("nix-build", "--store", src.store(), "--option", "sandbox", "false", "--no-out-link", nixFile.toString()).out();
    String drv = src.ok("nix-store", "--store", src.store(), "-q", "--deriver", out).out();
    try (TestServer server = TestServer.start(dialect, java.util.Map.of("CAIRN_CACHE_MAX_LOG_BYTES", "4096"))) {
      String base = server.baseUrl();
      Path netrc = Files.writeString(tmp.resolve("netrc"),
          "machine 127.0.0.1 login x password " + server.createUser("logger", dev.cairn.users.Role.WRITER) + "\n");
      src.ok("nix", "store", "copy-log", "--store", src.store(), "--to", base, "--option", "netrc-file", netrc.toString(), drv);
      String logUrl = base + "/log/" + StorePath.parse(drv).baseName();
      HttpResponse<String> stored = get(logUrl);
      assertEquals(200, stored.statusCode(), stored.body());
      assertEquals("hello from the builder\nto stderr\n", stored.body());
      assertEquals("text/plain; charset=utf-8", stored.headers().firstValue("Content-Type").orElseThrow());

      // nix log of the output path: Nix reads the narinfo's Deriver and asks for its log.
      JsonObject info = new JsonArray(src.pathInfoJson(out)).getJsonObject(0);
      BinaryCacheTest.put(server.server().store(), info, src.ok("nix-store", "--dump", src.realPath(out).toString()).stdout());
      RealNix reader = new RealNix(tmp.resolve("reader"));
      assertEquals("hello from the builder\nto stderr",
          reader.ok("nix", "log", "--store", base, "--option", "substituters", "", out).out());

      // A collection with no grace period keeps the log's blob.
      await(GarbageCollector.of(server.server().db(), server.server().store(), dev.cairn.server.Capabilities.metadataSweeps(server.server().db())).run(new GcOptions(Duration.ZERO, false)));
      assertEquals("hello from the builder\nto stderr\n", get(logUrl).body());

      // Writers only, a derivation's name, bounded; unknown derivations are 404.
      assertEquals(401, put(logUrl, null, "x").statusCode());
      String token = server.createUser("writer2", dev.cairn.users.Role.WRITER);
      assertEquals(413, put(logUrl, token, "y".repeat(5000)).statusCode());
      HttpResponse<String> notDrv = put(base + "/log/" + StorePath.parse(out).baseName(), token, "z");
      assertEquals(422, notDrv.statusCode());
      assertTrue(notDrv.body().contains("drv"), notDrv.body());
      assertEquals(400, get(base + "/log/" + "e".repeat(32) + "-x.drv").statusCode());
      assertEquals(404, get(base + "/log/" + "0".repeat(32) + "-x.drv").statusCode());
      HttpResponse<String> compressed = HTTP.send(HttpRequest.newBuilder(URI.create(logUrl)).header("Authorization", "Bearer " + token)
          .header("Content-Encoding", "br").PUT(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(415, compressed.statusCode());
      // A new log for the derivation replaces the old one.
      assertEquals(204, put(logUrl, token, "rebuilt\n").statusCode());
      assertEquals("rebuilt\n", get(logUrl).body());
    }
  }

  @Test
  void nixResumesAnInterruptedNarDownloadWithRange() throws Exception {
    Added added = addTree();
    RealNix src = added.src();
    String dirPath = added.path();
    JsonObject info = added.info();
    byte[] nar = added.nar();
    try (TestServer server = TestServer.start(Dialect.SQLITE); CuttingProxy proxy = new CuttingProxy(server.port(), 300_000)) {
      BinaryCacheTest.put(server.server().store(), info, nar);
      RealNix dst = new RealNix(tmp.resolve("dst"));
      RealNix.Result copied = dst.ok("nix", "copy", "--from", "http://127.0.0.1:" + proxy.port(), "--to", dst.store(),
          "--option", "require-sigs", "false", dirPath);
      assertTrue(proxy.didCut(), "the first NAR download was cut short");
      assertTrue(copied.stderr().contains("retrying from offset"), copied.stderr());
      assertTrue(proxy.ranges().stream().anyMatch(r -> r.matches("bytes=[1-9][0-9]*-")), proxy.ranges().toString());
      assertEquals(info.getString("narHash"), new JsonArray(dst.pathInfoJson(dirPath)).getJsonObject(0).getString("narHash"));
      assertArrayEquals(Files.readAllBytes(tmp.resolve("tree/sub/big")), Files.readAllBytes(dst.realPath(dirPath + "/sub/big")));
    }
  }

  @Test
  void narDownloadsAreZstdCompressedWhenTheClientAsks() throws Exception {
    RealNix src = new RealNix(tmp.resolve("src"));
    Path tree = tree();
    Files.writeString(tree.resolve("compressible"), "all work and no play ".repeat(50_000));
    String dirPath = src.add(tree);
    JsonObject info = new JsonArray(src.pathInfoJson(dirPath)).getJsonObject(0);
    byte[] nar = src.ok("nix-store", "--dump", src.realPath(dirPath).toString()).stdout();
    try (TestServer server = TestServer.start(Dialect.SQLITE)) {
      String url = server.baseUrl() + "/" + NarUrl.of(BinaryCacheTest.put(server.server().store(), info, nar));
      HttpResponse<byte[]> compressed = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Accept-Encoding", "gzip, zstd").build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, compressed.statusCode());
      assertEquals("zstd", compressed.headers().firstValue("Content-Encoding").orElseThrow());
      assertEquals("Accept-Encoding", compressed.headers().firstValue("Vary").orElseThrow());
      assertTrue(compressed.body().length < nar.length - 900_000, "compressed: " + compressed.body().length + " of " + nar.length);
      assertArrayEquals(nar, new com.github.luben.zstd.ZstdInputStream(new java.io.ByteArrayInputStream(compressed.body())).readAllBytes());

      // curl --compressed asks for zstd among others and decodes it.
      Path out = tmp.resolve("curl.nar");
      Path headers = tmp.resolve("curl.headers");
      src.ok("curl", "-sf", "--compressed", "-D", headers.toString(), "-o", out.toString(), url);
      assertTrue(Files.readString(headers).toLowerCase(java.util.Locale.ROOT).contains("content-encoding: zstd"), Files.readString(headers));
      assertArrayEquals(nar, Files.readAllBytes(out));

      // Not asked for, refused with q=0, or a Range: the NAR as it is, with its length.
      for (String accept : new String[] {null, "zstd;q=0", "gzip", "identity"}) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (accept != null) {
          b.header("Accept-Encoding", accept);
        }
        HttpResponse<byte[]> plain = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertTrue(plain.headers().firstValue("Content-Encoding").isEmpty(), accept);
        assertEquals(Long.toString(nar.length), plain.headers().firstValue("Content-Length").orElseThrow(), accept);
        assertArrayEquals(nar, plain.body(), accept);
      }
      HttpResponse<byte[]> ranged = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Accept-Encoding", "zstd")
          .header("Range", "bytes=100-").build(), HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(206, ranged.statusCode());
      assertTrue(ranged.headers().firstValue("Content-Encoding").isEmpty());
      assertArrayEquals(Arrays.copyOfRange(nar, 100, nar.length), ranged.body());

      // HEAD says what a GET with the same Accept-Encoding gets, without a body.
      RealNix.Result head = src.ok("curl", "-sfI", "-H", "Accept-Encoding: zstd", url);
      assertTrue(head.out().toLowerCase(java.util.Locale.ROOT).contains("content-encoding: zstd"), head.out());
    }
    try (TestServer off = TestServer.start(Dialect.SQLITE, java.util.Map.of("CAIRN_CACHE_ZSTD_RESPONSES", "false"))) {
      String url = off.baseUrl() + "/" + NarUrl.of(BinaryCacheTest.put(off.server().store(), info, nar));
      HttpResponse<byte[]> plain = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Accept-Encoding", "zstd").build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertTrue(plain.headers().firstValue("Content-Encoding").isEmpty());
      assertArrayEquals(nar, plain.body());
    }
  }

  @Test
  void acceptEncodingAllowsACodingListedWithoutQZero() {
    assertTrue(AcceptEncoding.allows("zstd", "zstd"));
    assertTrue(AcceptEncoding.allows("gzip, deflate, br, zstd", "zstd"));
    assertTrue(AcceptEncoding.allows("ZSTD;q=0.5", "zstd"));
    assertTrue(AcceptEncoding.allows("*", "zstd"));
    assertTrue(AcceptEncoding.allows("zstd;q=garbage", "zstd"));
    assertFalse(AcceptEncoding.allows(null, "zstd"));
    assertFalse(AcceptEncoding.allows("", "zstd"));
    assertFalse(AcceptEncoding.allows("gzip", "zstd"));
    assertFalse(AcceptEncoding.allows("zstd;q=0", "zstd"));
    assertFalse(AcceptEncoding.allows("zstd; q=0.000, *", "zstd"));
    assertFalse(AcceptEncoding.allows("*;q=0", "zstd"));
    assertFalse(AcceptEncoding.allows("zstdx", "zstd"));
  }

  private static HttpResponse<String> put(String url, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "text/plain; charset=utf-8")
        .PUT(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
