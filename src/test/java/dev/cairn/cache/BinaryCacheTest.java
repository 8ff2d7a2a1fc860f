package dev.cairn.cache;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.castore.DirectoryNode;
import dev.cairn.castore.FileNode;
import dev.cairn.castore.NarIngester;
import dev.cairn.castore.Node;
import dev.cairn.castore.PathComponent;
import dev.cairn.db.Dialect;
import dev.cairn.nix.Hash;
import dev.cairn.nix.NarInfo;
import dev.cairn.nix.PublicKey;
import dev.cairn.nix.RealNix;
import dev.cairn.nix.SecretKey;
import dev.cairn.nix.StorePath;
import dev.cairn.server.TestServer;
import dev.cairn.store.PathInfo;
import dev.cairn.store.Store;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real Nix 2.8 uses Cairn as a binary cache: paths built by Nix (input-addressed, with a
 * reference and a deriver) and a content-addressed directory tree are put into Cairn's store;
 * `nix copy --from http://…` into a fresh chroot store checks Cairn's signatures and gets the
 * same NAR hashes; a wrong trusted key is refused; Range, HEAD, 404 and a lost blob over HTTP.
 */
class BinaryCacheTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  Path tmp;

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void nixCopiesFromCairnWithCairnsSignatures(Dialect dialect) throws Exception {
    RealNix src = new RealNix(tmp.resolve("src"));
    String top = src.buildInputAddressed();
    Path tree = Files.createDirectories(tmp.resolve("tree/sub/deeper"));
    Files.writeString(tree.resolve("hello"), "hello\n");
    Files.writeString(tmp.resolve("tree/sub/big"), "x".repeat(300_000));
    Path exe = Files.writeString(tmp.resolve("tree/run"), "#!/bin/sh\necho hi\n");
    Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createSymbolicLink(tmp.resolve("tree/link"), Path.of("sub/big"));
    String dirPath = src.add(tmp.resolve("tree"));
    JsonArray infos = new JsonArray(src.pathInfoJson(top, "-r"));
    infos.addAll(new JsonArray(src.pathInfoJson(dirPath)));

    try (TestServer server = TestServer.start(dialect)) {
      Store store = server.server().store();
      Map<String, byte[]> nars = new LinkedHashMap<>();
      for (Object o : infos) {
        JsonObject info = (JsonObject) o;
        String path = info.getString("path");
        byte[] nar = src.ok("nix-store", "--dump", src.realPath(path).toString()).stdout();
        nars.put(path, nar);
        put(store, info, nar);
      }
      String base = server.baseUrl();
      String publicKey = new JsonObject(get(base + "/api/v1/cache/public-keys").body()).getJsonArray("public_keys").getString(0);
      assertTrue(Files.exists(server.dataDir().resolve("cache-signing.key")), "a key is generated under data_dir");

      HttpResponse<String> cacheInfo = get(base + "/nix-cache-info");
      assertEquals(200, cacheInfo.statusCode());
      assertEquals("StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 40\n", cacheInfo.body());

      // The narinfo: every field, Cairn's signature valid over the stored reference order.
      String topHash = StorePath.parse(top).hashPart();
      HttpResponse<String> narinfo = get(base + "/" + topHash + ".narinfo");
      assertEquals(200, narinfo.statusCode());
      assertEquals("text/x-nix-narinfo", narinfo.headers().firstValue("Content-Type").orElseThrow());
      NarInfo parsed = NarInfo.parse(narinfo.body());
      JsonObject topJson = find(infos, top);
      assertEquals(top, parsed.storePath().fullPath());
      assertEquals(Hash.parse(topJson.getString("narHash")), parsed.narHash());
      assertEquals(topJson.getLong("narSize").longValue(), parsed.narSize());
      assertEquals("none", parsed.compression());
      assertEquals(topJson.getString("deriver"), parsed.deriver().orElseThrow().fullPath());
      assertEquals(topJson.getJsonArray("references").getList(), parsed.references().stream().map(StorePath::fullPath).toList());
      assertEquals(1, parsed.signatures().size());
      assertTrue(PublicKey.parse(publicKey).verify(parsed.fingerprint(), parsed.signatures().get(0)));

      // HEAD answers like GET without a body; unknown → 404; malformed → 400.
      HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/" + topHash + ".narinfo"))
          .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, head.statusCode());
      assertEquals("", head.body());
      assertEquals(Integer.toString(narinfo.body().length()), head.headers().firstValue("Content-Length").orElseThrow());
      assertEquals("text/x-nix-narinfo", head.headers().firstValue("Content-Type").orElseThrow());
      assertEquals(404, get(base + "/" + "0".repeat(32) + ".narinfo").statusCode());
      HttpResponse<String> headMissing = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/" + "0".repeat(32) + ".narinfo"))
          .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(404, headMissing.statusCode());
      assertEquals("", headMissing.body());
      assertEquals(400, get(base + "/" + "e".repeat(32) + ".narinfo").statusCode());
      assertEquals(400, get(base + "/" + topHash + "0.narinfo").statusCode());

      // The NAR, whole and in ranges (curl, as a resuming client asks).
      String narUrl = base + "/" + parsed.url();
      byte[] topNar = nars.get(top);
      HttpResponse<byte[]> whole = HTTP.send(HttpRequest.newBuilder(URI.create(narUrl)).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, whole.statusCode());
      assertArrayEquals(topNar, whole.body());
      assertEquals("bytes", whole.headers().firstValue("Accept-Ranges").orElseThrow());
      NarInfo dirInfo = NarInfo.parse(get(base + "/" + StorePath.parse(dirPath).hashPart() + ".narinfo").body());
      byte[] dirNar = nars.get(dirPath);
      String dirNarUrl = base + "/" + dirInfo.url();
      RealNix.Result ranged = src.ok("curl", "-s", "-D", tmp.resolve("headers").toString(), "-r", "1000-200999", dirNarUrl);
      assertArrayEquals(Arrays.copyOfRange(dirNar, 1000, 201000), ranged.stdout());
      String headers = Files.readString(tmp.resolve("headers"));
      assertTrue(headers.startsWith("HTTP/1.1 206"), headers);
      assertTrue(headers.contains("Content-Range: bytes 1000-200999/" + dirNar.length), headers);
      RealNix.Result tail = src.ok("curl", "-s", "-r", (dirNar.length - 100) + "-", dirNarUrl);
      assertArrayEquals(Arrays.copyOfRange(dirNar, dirNar.length - 100, dirNar.length), tail.stdout());
      RealNix.Result suffix = src.ok("curl", "-s", "-r", "-8", dirNarUrl);
      assertArrayEquals(Arrays.copyOfRange(dirNar, dirNar.length - 8, dirNar.length), suffix.stdout());
      assertEquals("416", src.ok("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-r", dirNar.length + "-", dirNarUrl).out());
      HttpResponse<String> headNar = HTTP.send(HttpRequest.newBuilder(URI.create(dirNarUrl))
          .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, headNar.statusCode());
      assertEquals(Long.toString(dirNar.length), headNar.headers().firstValue("Content-Length").orElseThrow());
      String otherHash = parsed.url().replace(parsed.narHash().toNix32(), Hash.parse(find(infos, dirPath).getString("narHash")).toNix32());
      assertEquals(404, get(base + "/" + otherHash).statusCode(), "a NAR URL pins its content");
      HttpResponse<String> foreign = get(base + "/nar/" + parsed.narHash().toNix32() + ".nar.xz");
      assertEquals(404, foreign.statusCode(), "a NAR name Cairn never gave out is not here");
      assertTrue(foreign.body().contains("nar: must be"), foreign.body());

      // nix copy with Cairn's key trusted and signatures required.
      RealNix dst = new RealNix(tmp.resolve("dst"));
      dst.ok("nix", "copy", "--from", base, "--to", dst.store(), "--option", "trusted-public-keys", publicKey,
          "--option", "require-sigs", "true", top, dirPath);
      for (String path : List.of(top, find(infos, top).getJsonArray("references").getString(0), dirPath)) {
        JsonObject copied = new JsonArray(dst.pathInfoJson(path)).getJsonObject(0);
        assertEquals(Hash.parse(find(infos, path).getString("narHash")), Hash.parse(copied.getString("narHash")), path);
      }
      assertEquals(Files.readString(src.realPath(top)), Files.readString(dst.realPath(top)));
      dst.ok("nix", "store", "verify", "--store", dst.store(), "--sigs-needed", "1", "--trusted-public-keys", publicKey, top);

      // nix-store -r with Cairn as the only substituter.
      RealNix realiser = new RealNix(tmp.resolve("realiser"));
      realiser.ok("nix-store", "--store", realiser.store(), "-r", top, "--option", "substituters", base,
          "--option", "trusted-public-keys", publicKey, "--option", "require-sigs", "true");
      assertEquals(Files.readString(src.realPath(top)), Files.readString(realiser.realPath(top)));

      // A key of the same name that is not Cairn's: Nix refuses the paths.
      String keyName = publicKey.substring(0, publicKey.indexOf(':'));
      RealNix wrong = new RealNix(tmp.resolve("wrong"));
      RealNix.Result refused = wrong.run("nix", "copy", "--from", base, "--to", wrong.store(), "--option", "trusted-public-keys",
          SecretKey.generate(keyName).toPublicKey().toString(), "--option", "require-sigs", "true", top);
      assertNotEquals(0, refused.exit(), refused.stderr());
      assertTrue(refused.stderr().contains("signature"), refused.stderr());
      assertNotEquals(0, wrong.run("nix", "path-info", "--store", wrong.store(), top).exit());

      // Reading the cache as a store: path-info and file contents from the NAR.
      RealNix reader = new RealNix(tmp.resolve("reader"));
      JsonArray remote = new JsonArray(reader.ok("nix", "path-info", "--store", base, "--json", "-r", top).out());
      assertEquals(2, remote.size());
      assertEquals(Hash.parse(topJson.getString("narHash")), Hash.parse(find(remote, top).getString("narHash")));
      assertEquals(Files.readString(src.realPath(top)), reader.ok("nix", "store", "cat", "--store", base, top).out() + "\n");
      assertEquals("hello", reader.ok("nix", "store", "cat", "--store", base, dirPath + "/sub/deeper/hello").out());
      String listing = reader.ok("nix", "store", "ls", "--store", base, "-R", dirPath).out();
      assertTrue(listing.contains("/sub/deeper/hello") && listing.contains("/link"), listing);
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aLostBlobIsAnErrorStatusNeverATruncatedNar(Dialect dialect) throws Exception {
    RealNix src = new RealNix(tmp.resolve("src"));
    Path tree = Files.createDirectories(tmp.resolve("tree"));
    Files.writeString(tree.resolve("a"), "kept");
    Files.writeString(tree.resolve("b"), "lost " + tmp);
    String path = src.add(tree);
    JsonObject info = new JsonArray(src.pathInfoJson(path)).getJsonObject(0);
    byte[] nar = src.ok("nix-store", "--dump", src.realPath(path).toString()).stdout();
    try (TestServer server = TestServer.start(dialect)) {
      PathInfo stored = put(server.server().store(), info, nar);
      Node lost = await(server.server().store().directories().get(((DirectoryNode) stored.node()).digest())).orElseThrow()
          .files().stream().filter(f -> f.name().equals(PathComponent.of("b".getBytes(StandardCharsets.UTF_8)))).findFirst().orElseThrow();
      // The blob's index rows are gone (as after a lost database restore): stat no longer finds it.
      byte[] digest = ((FileNode) lost).digest().bytes();
      await(server.server().db().update("DELETE FROM blobs WHERE digest = ?", digest));
      await(server.server().db().update("DELETE FROM blob_chunks WHERE blob_digest = ? OR chunk_digest = ?", digest, digest));
      String url = server.baseUrl() + "/" + NarUrl.of(stored);
      HttpResponse<String> answer = get(url);
      assertEquals(500, answer.statusCode());
      assertTrue(answer.body().contains("is missing"), answer.body());
      assertFalse(answer.headers().firstValue("Content-Range").isPresent());
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void configuredKeysSignAndStoredSignaturesStay(Dialect dialect) throws Exception {
    SecretKey one = SecretKey.generate("cache.example.org-1");
    SecretKey two = SecretKey.generate("cache.example.org-2");
    SecretKey three = SecretKey.generate("cache.example.org-3");
    Path oneFile = Files.writeString(tmp.resolve("one.key"), one.toString());
    Path twoFile = Files.writeString(tmp.resolve("two.key"), two + "\n");
    Path threeFile = Files.writeString(tmp.resolve("three.key"), three.toString());
    Path tree = Files.createDirectories(tmp.resolve("tree"));
    Files.writeString(tree.resolve("f"), "signed " + tmp);
    java.io.ByteArrayOutputStream nar = new java.io.ByteArrayOutputStream();
    dev.cairn.nix.NarWriter.dump(tree, nar);
    try (TestServer server = TestServer.start(dialect, Map.of("CAIRN_CACHE_SIGNING_KEY_FILE", oneFile.toString(),
        "CAIRN_CACHE_SIGNING_KEY_FILES", twoFile + ", " + threeFile, "CAIRN_CACHE_PRIORITY", "7"))) {
      Store store = server.server().store();
      NarIngester.Result r = store.ingester().ingest(new ByteArrayInputStream(nar.toByteArray()));
      StorePath path = StorePath.parseBaseName("00bgd045z0d4icpbc2yyz4gx48ak44la-signed");
      SecretKey upstream = SecretKey.generate("upstream-1");
      PathInfo unsigned = PathInfo.withUnresolvedReferences(path, r.root().withName(PathComponent.of(path.baseNameBytes())), r.narSize(),
          r.narSha256(), List.of(), Optional.empty(), Optional.empty(), List.of());
      // A stored signature under one of our key names is served as stored, not signed twice.
      await(store.pathInfos().put(unsigned.withSignatures(List.of(upstream.sign(unsigned.fingerprint()), two.sign(unsigned.fingerprint())))));

      JsonArray keys = new JsonObject(get(server.baseUrl() + "/api/v1/cache/public-keys").body()).getJsonArray("public_keys");
      assertEquals(List.of(one.toPublicKey().toString(), two.toPublicKey().toString(), three.toPublicKey().toString()), keys.getList());
      assertFalse(Files.exists(server.dataDir().resolve("cache-signing.key")), "no key is generated when keys are configured");
      assertTrue(get(server.baseUrl() + "/nix-cache-info").body().contains("Priority: 7\n"));
      NarInfo info = NarInfo.parse(get(server.baseUrl() + "/" + path.hashPart() + ".narinfo").body());
      assertEquals(List.of("upstream-1", "cache.example.org-2", "cache.example.org-1", "cache.example.org-3"),
          info.signatures().stream().map(dev.cairn.nix.Signature::keyName).toList());
      for (SecretKey k : List.of(upstream, one, two, three)) {
        assertTrue(info.signatures().stream().anyMatch(sig -> k.toPublicKey().verify(info.fingerprint(), sig)), k.name());
      }
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aPrivateCacheAsksNixForBasicCredentials(Dialect dialect) throws Exception {
    try (TestServer server = TestServer.start(dialect, Map.of("CAIRN_HTTP_PRIVATE", "true"))) {
      HttpResponse<String> anonymous = get(server.baseUrl() + "/nix-cache-info");
      assertEquals(401, anonymous.statusCode());
      assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Basic"));
      String token = server.createUser("reader", dev.cairn.users.Role.READER);
      String basic = java.util.Base64.getEncoder().encodeToString(("x:" + token).getBytes(StandardCharsets.UTF_8));
      HttpResponse<String> known = HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/" + "0".repeat(32) + ".narinfo"))
          .header("Authorization", "Basic " + basic).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(404, known.statusCode());
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aChunkLostAfterTheCheckEndsTheResponseIncomplete(Dialect dialect) throws Exception {
    RealNix src = new RealNix(tmp.resolve("src"));
    Path tree = Files.createDirectories(tmp.resolve("tree"));
    Files.writeString(tree.resolve("a"), "a".repeat(600_000) + tmp);
    Files.writeString(tree.resolve("b"), "lost " + tmp);
    String path = src.add(tree);
    JsonObject info = new JsonArray(src.pathInfoJson(path)).getJsonObject(0);
    byte[] nar = src.ok("nix-store", "--dump", src.realPath(path).toString()).stdout();
    try (TestServer server = TestServer.start(dialect)) {
      PathInfo stored = put(server.server().store(), info, nar);
      FileNode lost = await(server.server().store().directories().get(((DirectoryNode) stored.node()).digest())).orElseThrow()
          .files().stream().filter(f -> f.name().equals(PathComponent.of("b".getBytes(StandardCharsets.UTF_8)))).findFirst().orElseThrow();
      // The index still lists the blob (the check passes), but its bytes are gone from the chunk store.
      String hex = lost.digest().hex();
      Files.delete(server.dataDir().resolve("blobs/chunks").resolve(hex.substring(0, 2)).resolve(hex));
      String url = server.baseUrl() + "/" + NarUrl.of(stored);
      RealNix.Result curl = src.run("curl", "-s", "--http1.1", "-o", tmp.resolve("out").toString(), "-w", "%{http_code}", url);
      // File a went out before b turned out unreadable: curl sees the transfer cut short (exit 18), never a complete 200.
      assertEquals(18, curl.exit(), curl.out() + " " + curl.stderr());
      assertTrue(Files.size(tmp.resolve("out")) < nar.length);
    }
  }

  /** Ingests a NAR into Cairn's store and puts its PathInfo as `nix path-info --json` describes it. */
  static PathInfo put(Store store, JsonObject info, byte[] nar) throws Exception {
    StorePath path = StorePath.parse(info.getString("path"));
    NarIngester.Result r = store.ingester().ingest(new ByteArrayInputStream(nar));
    assertEquals(Hash.parse(info.getString("narHash")), r.narSha256());
    List<StorePath> refs = new ArrayList<>();
    info.getJsonArray("references").forEach(ref -> refs.add(StorePath.parse((String) ref)));
    Optional<StorePath> deriver = Optional.ofNullable(info.getString("deriver")).map(StorePath::parse);
    Optional<String> ca = Optional.ofNullable(info.getString("ca"));
    Node node = r.root().withName(PathComponent.of(path.baseNameBytes()));
    return await(store.pathInfos().put(PathInfo.withUnresolvedReferences(path, node, r.narSize(), r.narSha256(), List.of(), deriver, ca, refs)));
  }

  static JsonObject find(JsonArray infos, String path) {
    return infos.stream().map(JsonObject.class::cast).filter(o -> o.getString("path").equals(path)).findFirst().orElseThrow();
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
