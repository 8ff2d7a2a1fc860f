package dev.cairn.registry;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.castore.Directory;
import dev.cairn.castore.DirectoryNode;
import dev.cairn.castore.FileNode;
import dev.cairn.castore.Node;
import dev.cairn.castore.PathComponent;
import dev.cairn.db.Dialect;
import dev.cairn.nix.StorePath;
import dev.cairn.server.TestServer;
import dev.cairn.store.Store;
import dev.cairn.store.StorePathDigest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pull checks of WIRE.md §5 with a plain HTTP client: headers and exact lengths on GET and
 * HEAD, both manifest renderings by tag and by their own digests, Range (206/416), ETag (304),
 * JSON errors with spec codes everywhere under /v2, unknown query parameters ignored, paging,
 * and a corrupted stored chunk aborting a layer download instead of serving wrong bytes.
 */
class RegistryWireTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final String DOCKER = ImageDocuments.DOCKER_MANIFEST;
  private static final String OCI = ImageDocuments.OCI_MANIFEST;

  @TempDir
  static Path tmp;
  static RegistryFixture fixture;
  static TestServer server;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    fixture = new RegistryFixture(tmp.resolve("fixture"));
    server = TestServer.start(Dialect.SQLITE);
    fixture.load(server);
    base = server.baseUrl() + "/v2/";
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void pingAnswersJsonWithTheApiVersion() throws Exception {
    for (String url : new String[] {base, server.baseUrl() + "/v2"}) {
      HttpResponse<byte[]> ping = send("GET", url);
      assertEquals(200, ping.statusCode());
      assertEquals("{}", new String(ping.body(), StandardCharsets.UTF_8));
      assertEquals("application/json", ping.headers().firstValue("Content-Type").orElseThrow());
      assertEquals("registry/2.0", ping.headers().firstValue("Docker-Distribution-API-Version").orElseThrow());
    }
  }

  @Test
  void manifestsByTagThenByDigestInBothRenderings() throws Exception {
    HttpResponse<byte[]> head = send("HEAD", base + "busybox/top/manifests/latest", "Accept", DOCKER);
    assertEquals(200, head.statusCode());
    assertEquals(0, head.body().length);
    assertEquals(DOCKER, head.headers().firstValue("Content-Type").orElseThrow());
    String digest = head.headers().firstValue("Docker-Content-Digest").orElseThrow();
    long length = head.headers().firstValueAsLong("Content-Length").orElseThrow();
    assertTrue(length > 0);

    // containerd: HEAD by tag, then GET by digest
    HttpResponse<byte[]> byDigest = send("GET", base + "busybox/top/manifests/" + digest);
    assertEquals(200, byDigest.statusCode());
    assertEquals(length, byDigest.body().length);
    assertEquals(digest, sha256(byDigest.body()));
    assertEquals(DOCKER, byDigest.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(String.valueOf(length), byDigest.headers().firstValue("Content-Length").orElseThrow());
    assertEquals(DOCKER, new JsonObject(new String(byDigest.body(), StandardCharsets.UTF_8)).getString("mediaType"));
    HttpResponse<byte[]> headByDigest = send("HEAD", base + "busybox/top/manifests/" + digest);
    assertEquals(digest, headByDigest.headers().firstValue("Docker-Content-Digest").orElseThrow());
    assertEquals(length, headByDigest.headers().firstValueAsLong("Content-Length").orElseThrow());
    assertEquals(0, headByDigest.body().length);

    HttpResponse<byte[]> oci = send("GET", base + "busybox/top/manifests/latest", "Accept", OCI + ", " + DOCKER);
    String ociDigest = oci.headers().firstValue("Docker-Content-Digest").orElseThrow();
    assertNotEquals(digest, ociDigest);
    assertEquals(OCI, oci.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(ociDigest, sha256(oci.body()));
    assertEquals(ociDigest, send("GET", base + "busybox/top/manifests/" + ociDigest).headers().firstValue("Docker-Content-Digest").orElseThrow());
    HttpResponse<byte[]> refused = send("GET", base + "busybox/top/manifests/latest", "Accept", OCI + ";q=0, " + DOCKER);
    assertEquals(digest, refused.headers().firstValue("Docker-Content-Digest").orElseThrow());
    // no Accept at all: Docker schema 2
    assertEquals(digest, send("GET", base + "busybox/top/manifests/latest").headers().firstValue("Docker-Content-Digest").orElseThrow());

    // containerd's mirror parameter is ignored
    assertEquals(digest, send("HEAD", base + "busybox/top/manifests/latest?ns=docker.io", "Accept", DOCKER)
        .headers().firstValue("Docker-Content-Digest").orElseThrow());
    // ETag / If-None-Match
    HttpResponse<byte[]> notModified = send("GET", base + "busybox/top/manifests/" + digest, "If-None-Match", "\"" + digest + "\"");
    assertEquals(304, notModified.statusCode());
    assertEquals(0, notModified.body().length);
    // an HTTP/2 HEAD carries no body either
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    HttpResponse<byte[]> h2head = h2.send(HttpRequest.newBuilder(URI.create(base + "busybox/top/manifests/" + digest))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, h2head.statusCode());
    assertEquals(0, h2head.body().length);

    // one exact store path by its hash
    String hash = StorePath.parse(fixture.busybox).hashPart();
    assertEquals(200, send("GET", base + "store/" + hash + "/manifests/latest").statusCode());
  }

  @Test
  void layersAreDeterministicTarsWithRangesAndExactLengths() throws Exception {
    JsonObject manifest = json(send("GET", base + "busybox/top/manifests/latest", "Accept", OCI));
    JsonArray layers = manifest.getJsonArray("layers");
    JsonObject config = json(send("GET", base + "busybox/top/blobs/" + manifest.getJsonObject("config").getString("digest")));
    JsonArray diffIds = config.getJsonObject("rootfs").getJsonArray("diff_ids");
    assertEquals(layers.size(), diffIds.size());
    assertEquals(new JsonArray().add("/bin/sh"), config.getJsonObject("config").getJsonArray("Cmd"));
    for (int i = 0; i < layers.size(); i++) {
      JsonObject layer = layers.getJsonObject(i);
      String digest = layer.getString("digest");
      assertEquals(digest, diffIds.getString(i), "uncompressed layers: digest = diff_id");
      long size = layer.getLong("size");
      HttpResponse<byte[]> head = send("HEAD", base + "any/name/blobs/" + digest);
      assertEquals(200, head.statusCode());
      assertEquals(size, head.headers().firstValueAsLong("Content-Length").orElseThrow());
      assertEquals(digest, head.headers().firstValue("Docker-Content-Digest").orElseThrow());
      assertEquals(0, head.body().length);
      HttpResponse<byte[]> full = send("GET", base + "busybox/top/blobs/" + digest);
      assertEquals(200, full.statusCode());
      assertEquals(size, full.body().length);
      assertEquals(digest, sha256(full.body()));
      byte[] again = send("GET", base + "busybox/top/blobs/" + digest).body();
      assertArrayEquals(full.body(), again, "every rendering is byte-identical");

      long n = size / 3;
      HttpResponse<byte[]> resumed = send("GET", base + "busybox/top/blobs/" + digest, "Range", "bytes=" + n + "-");
      assertEquals(206, resumed.statusCode());
      assertEquals("bytes " + n + "-" + (size - 1) + "/" + size, resumed.headers().firstValue("Content-Range").orElseThrow());
      assertArrayEquals(Arrays.copyOfRange(full.body(), (int) n, (int) size), resumed.body());
      assertEquals(size - n, resumed.headers().firstValueAsLong("Content-Length").orElseThrow());
      assertArrayEquals(Arrays.copyOfRange(full.body(), 0, 10), send("GET", base + "x/blobs/" + digest, "Range", "bytes=0-9").body());
      assertArrayEquals(Arrays.copyOfRange(full.body(), (int) size - 5, (int) size), send("GET", base + "x/blobs/" + digest, "Range", "bytes=-5").body());
      HttpResponse<byte[]> beyond = send("GET", base + "x/blobs/" + digest, "Range", "bytes=" + size + "-");
      assertEquals(416, beyond.statusCode());
      assertEquals("bytes */" + size, beyond.headers().firstValue("Content-Range").orElseThrow());
      assertEquals("RANGE_INVALID", code(beyond));
      assertEquals(304, send("GET", base + "x/blobs/" + digest, "If-None-Match", "\"" + digest + "\"").statusCode());
    }
    // the store layer of busybox holds the synthesized parents, then the path, with fixed modes
    String storeLayer = layers.getJsonObject(0).getString("digest");
    byte[] tar = send("GET", base + "x/blobs/" + storeLayer).body();
    assertEquals("nix/", tarName(tar, 0));
    assertEquals("nix/store/", tarName(tar, 512));
  }

  @Test
  void errorsAreJsonWithSpecCodes() throws Exception {
    String zeros = "sha256:" + "0".repeat(64);
    assertError(send("GET", base + "busybox/manifests/" + zeros), 404, "MANIFEST_UNKNOWN");
    assertError(send("GET", base + "busybox/manifests/sha256:xyz"), 400, "DIGEST_INVALID");
    assertError(send("GET", base + "busybox/blobs/sha256:abc"), 400, "DIGEST_INVALID");
    assertError(send("GET", base + "busybox/blobs/" + zeros), 404, "BLOB_UNKNOWN");
    assertError(send("GET", base + "busybox/blobs/sha512:" + "0".repeat(128)), 404, "BLOB_UNKNOWN");
    assertError(send("GET", base + "busybox/manifests/nosuchtag"), 404, "MANIFEST_UNKNOWN");
    assertError(send("GET", base + "busybox/manifests/bad!tag"), 400, "TAG_INVALID");
    assertError(send("GET", base + "BusyBox/manifests/latest"), 400, "NAME_INVALID");
    assertError(send("GET", base + "nonroot/manifests/latest"), 400, "NAME_INVALID");
    assertError(send("GET", base + "busybox/nothing/here"), 404, "UNSUPPORTED");
    assertError(send("PUT", base + "busybox/manifests/latest"), 405, "UNSUPPORTED");
    HttpResponse<byte[]> unknown = send("GET", base + "nosuchpkg/busybox/alsomissing/manifests/latest");
    assertError(unknown, 404, "MANIFEST_UNKNOWN");
    String detail = json(unknown).getJsonArray("errors").getJsonObject(0).getString("detail");
    assertTrue(detail.contains("nosuchpkg") && detail.contains("alsomissing") && !detail.contains("\"busybox\""), detail);
    HttpResponse<byte[]> headUnknown = send("HEAD", base + "busybox/blobs/" + zeros);
    assertEquals(404, headUnknown.statusCode());
    assertEquals(0, headUnknown.body().length);
    assertEquals("application/json", headUnknown.headers().firstValue("Content-Type").orElseThrow());
  }

  /**
   * Eight pulls of a name never resolved, all arriving while its resolution is held up (every NAR
   * pool thread is busy until they have all joined it, and its new layer must be rendered there):
   * exactly one resolution runs, the other seven join it, and all get the same manifest.
   */
  @Test
  void concurrentPullsOfANameNotResolvedYetShareOneResolution() throws Exception {
    Path tree = Files.createDirectories(tmp.resolve("coalesced"));
    Files.writeString(tree.resolve("data"), "rendered once for eight pulls " + System.nanoTime());
    fixture.copy(server, fixture.nix.add(tree));
    long runsBefore = metric("cairn_registry_resolutions_total");
    long joinedBefore = metric("cairn_registry_resolutions_joined_total");

    java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
    io.vertx.core.WorkerExecutor narPool = server.server().store().narPool();
    try {
      for (int i = 0; i < 32; i++) {
        narPool.executeBlocking(() -> {
          gate.await();
          return null;
        }, false);
      }
      java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>> pulls = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        pulls.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(base + "coalesced/busybox/manifests/latest")).build(),
            HttpResponse.BodyHandlers.ofByteArray()));
      }
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
      while (metric("cairn_registry_resolutions_joined_total") < joinedBefore + 7) {
        assertTrue(System.nanoTime() < deadline, "7 pulls did not join the first one's resolution");
        assertTrue(pulls.stream().noneMatch(java.util.concurrent.CompletableFuture::isDone), "a pull finished while the NAR pool was held");
        Thread.sleep(20);
      }
      gate.countDown();
      java.util.Set<String> digests = new java.util.HashSet<>();
      for (var pull : pulls) {
        HttpResponse<byte[]> r = pull.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        digests.add(sha256(r.body()));
      }
      assertEquals(1, digests.size());
      assertEquals(runsBefore + 1, metric("cairn_registry_resolutions_total"));
      assertEquals(joinedBefore + 7, metric("cairn_registry_resolutions_joined_total"));
    } finally {
      gate.countDown();
    }
    // one more sequential pull is exactly one more resolution, joining none
    assertEquals(200, send("GET", base + "coalesced/busybox/manifests/latest").statusCode());
    assertEquals(runsBefore + 2, metric("cairn_registry_resolutions_total"));
    assertEquals(joinedBefore + 7, metric("cairn_registry_resolutions_joined_total"));
  }

  /** A counter from /metrics, e.g. {@code cairn_registry_resolutions_total}. */
  private static long metric(String name) throws Exception {
    String metrics = new String(send("GET", server.baseUrl() + "/metrics").body(), StandardCharsets.UTF_8);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + "(?:\\{[^}]*})? ([0-9.E]+)$").matcher(metrics);
    assertTrue(m.find(), metrics);
    return (long) Double.parseDouble(m.group(1));
  }

  @Test
  void tagsAndCatalogArePagedWithLinks() throws Exception {
    JsonObject tags = json(send("GET", base + "busybox/top/tags/list"));
    assertEquals(new JsonObject().put("name", "busybox/top").put("tags", new JsonArray().add("latest")), tags);
    assertEquals(new JsonArray(), json(send("GET", base + "busybox/top/tags/list?last=latest")).getJsonArray("tags"));
    assertError(send("GET", base + "nosuchpkg/tags/list"), 404, "NAME_UNKNOWN");
    assertError(send("GET", base + "busybox/tags/list?n=x"), 400, "PAGINATION_NUMBER_INVALID");

    assertEquals(200, send("GET", base + "busybox/manifests/latest").statusCode());
    assertEquals(200, send("GET", base + "dep/manifests/latest").statusCode());
    HttpResponse<byte[]> first = send("GET", base + "_catalog?n=1");
    assertEquals(new JsonArray().add("busybox"), json(first).getJsonArray("repositories"));
    String link = first.headers().firstValue("Link").orElseThrow();
    assertEquals("</v2/_catalog?n=1&last=busybox>; rel=\"next\"", link);
    HttpResponse<byte[]> second = send("GET", server.baseUrl() + link.substring(1, link.indexOf('>')));
    JsonArray rest = json(second).getJsonArray("repositories");
    assertEquals(1, rest.size());
    assertTrue(rest.getString(0).compareTo("busybox") > 0, rest.encode());
  }

  @Test
  void aCorruptedChunkAbortsTheLayerDownload() throws Exception {
    try (TestServer own = TestServer.start(Dialect.SQLITE)) {
      fixture.load(own);
      String v2 = own.baseUrl() + "/v2/";
      JsonObject manifest = json(send("GET", v2 + "busybox/manifests/latest"));
      String layer = manifest.getJsonArray("layers").getJsonObject(0).getString("digest");
      assertEquals(200, send("GET", v2 + "busybox/blobs/" + layer).statusCode());

      Store store = own.server().store();
      Node root = await(store.pathInfos().get(StorePathDigest.of(StorePath.parse(fixture.busybox)))).orElseThrow().node();
      Directory top = await(store.directories().get(((DirectoryNode) root).digest())).orElseThrow();
      Directory bin = await(store.directories().get(((DirectoryNode) child(top, "bin")).digest())).orElseThrow();
      FileNode busybox = (FileNode) child(bin, "busybox");
      String chunk = await(store.blobs().stat(busybox.digest())).orElseThrow().chunks().get(0).digest().hex();
      Path file = own.dataDir().resolve("blobs/chunks").resolve(chunk.substring(0, 2)).resolve(chunk);
      byte[] stored = Files.readAllBytes(file);
      stored[stored.length / 2] ^= 0x55;
      Files.write(file, stored);

      assertThrows(IOException.class, () -> send("GET", v2 + "busybox/blobs/" + layer), "the download must fail, never complete");
      assertThrows(IOException.class, () -> send("GET", v2 + "busybox/blobs/" + layer, "Range", "bytes=100-"));
    }
  }

  @Test
  void zstdLayersDecompressToTheirDiffIds() throws Exception {
    try (TestServer own = TestServer.start(Dialect.SQLITE, java.util.Map.of("CAIRN_REGISTRY_LAYER_COMPRESSION", "zstd"))) {
      fixture.load(own);
      String v2 = own.baseUrl() + "/v2/busybox/top/";
      JsonObject manifest = json(send("GET", v2 + "manifests/latest", "Accept", OCI));
      JsonArray diffIds = json(send("GET", v2 + "blobs/" + manifest.getJsonObject("config").getString("digest"))).getJsonObject("rootfs")
          .getJsonArray("diff_ids");
      JsonArray layers = manifest.getJsonArray("layers");
      assertEquals(diffIds.size(), layers.size());
      for (int i = 0; i < layers.size(); i++) {
        JsonObject layer = layers.getJsonObject(i);
        assertEquals(ImageDocuments.OCI_LAYER + "+zstd", layer.getString("mediaType"));
        byte[] bytes = send("GET", v2 + "blobs/" + layer.getString("digest")).body();
        assertEquals(layer.getString("digest"), sha256(bytes));
        assertEquals(layer.getLong("size"), bytes.length);
        try (var in = new com.github.luben.zstd.ZstdInputStream(new java.io.ByteArrayInputStream(bytes))) {
          assertEquals(diffIds.getString(i), sha256(in.readAllBytes()));
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "gzip"})
  void aCollectionRemovesManifestsNoImageNamesAnyMore(String compression) throws Exception {
    try (TestServer own = TestServer.start(Dialect.SQLITE, java.util.Map.of("CAIRN_REGISTRY_LAYER_COMPRESSION", compression))) {
      fixture.load(own);
      String v2 = own.baseUrl() + "/v2/";
      HttpResponse<byte[]> before = send("GET", v2 + "busybox/manifests/latest");
      String old = before.headers().firstValue("Docker-Content-Digest").orElseThrow();
      String oldConfig = json(before).getJsonObject("config").getString("digest");

      // a newer path of the same package: latest moves to it
      Path newer = Files.createDirectories(tmp.resolve("newer-" + compression + "/busybox/bin"));
      Files.copy(Path.of("/bin/busybox"), newer.resolve("busybox"));
      Files.writeString(newer.resolve("version"), "2\n");
      String path = fixture.nix.add(tmp.resolve("newer-" + compression + "/busybox"));
      Path netrc = tmp.resolve("newer.netrc");
      Files.writeString(netrc, "machine 127.0.0.1 login x password " + own.createUser("pusher2", dev.cairn.users.Role.WRITER) + "\n");
      fixture.nix.ok("nix", "copy", "--from", fixture.nix.store(), "--to", own.baseUrl() + "?compression=none", "--option", "netrc-file",
          netrc.toString(), path);
      HttpResponse<byte[]> after = send("GET", v2 + "busybox/manifests/latest");
      String current = after.headers().firstValue("Docker-Content-Digest").orElseThrow();
      assertNotEquals(old, current);
      assertEquals(200, send("GET", v2 + "busybox/manifests/" + old).statusCode(), "kept until a collection");

      java.util.Set<String> oldLayers = new java.util.HashSet<>();
      json(before).getJsonArray("layers").forEach(l -> oldLayers.add(((JsonObject) l).getString("digest")));
      json(after).getJsonArray("layers").forEach(l -> oldLayers.remove(((JsonObject) l).getString("digest")));
      assertTrue(!oldLayers.isEmpty());

      dev.cairn.store.gc.GarbageCollector gc = dev.cairn.store.gc.GarbageCollector.of(own.server().db(), own.server().store(),
          dev.cairn.server.Capabilities.metadataSweeps(own.server().db()));
      dev.cairn.store.gc.GcReport report = await(gc.run(new dev.cairn.store.gc.GcOptions(java.time.Duration.ZERO, false)));
      assertTrue(report.metadataRows() >= 3, report.summary());
      // a second collection frees what the first one's sweeps left unreferenced (compressed layer blobs)
      await(gc.run(new dev.cairn.store.gc.GcOptions(java.time.Duration.ZERO, false)));
      for (String gone : oldLayers) {
        assertError(send("GET", v2 + "busybox/blobs/" + gone), 404, "BLOB_UNKNOWN");
      }
      assertError(send("GET", v2 + "busybox/manifests/" + old), 404, "MANIFEST_UNKNOWN");
      assertError(send("GET", v2 + "busybox/blobs/" + oldConfig), 404, "BLOB_UNKNOWN");
      assertEquals(200, send("GET", v2 + "busybox/manifests/" + current).statusCode());
      for (Object layer : json(after).getJsonArray("layers")) {
        String digest = ((JsonObject) layer).getString("digest");
        assertEquals(digest, sha256(send("GET", v2 + "busybox/blobs/" + digest).body()));
      }
    }
  }

  private static Node child(Directory dir, String name) {
    return dir.nodes().stream().filter(n -> n.name().equals(PathComponent.of(name))).findFirst().orElseThrow();
  }

  private static String tarName(byte[] tar, int offset) {
    int end = offset;
    while (tar[end] != 0) {
      end++;
    }
    return new String(tar, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static void assertError(HttpResponse<byte[]> response, int status, String code) {
    assertEquals(status, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(code, code(response));
    assertEquals(response.body().length, response.headers().firstValueAsLong("Content-Length").orElseThrow());
  }

  private static String code(HttpResponse<byte[]> response) {
    return json(response).getJsonArray("errors").getJsonObject(0).getString("code");
  }

  private static JsonObject json(HttpResponse<byte[]> response) {
    return new JsonObject(new String(response.body(), StandardCharsets.UTF_8));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static HttpResponse<byte[]> send(String method, String url, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }
}
