package dev.cairn.store.upstream;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.nix.Hash;
import dev.cairn.nix.RealNix;
import dev.cairn.nix.StorePath;
import dev.cairn.server.TestServer;
import dev.cairn.store.PathInfo;
import dev.cairn.store.PathInfoConflicts;
import dev.cairn.store.StorePathDigest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cairn pulling through from upstream caches that real Nix 2.8 wrote ({@code nix copy --to
 * file://…?compression=none|zstd}) and Debian's nginx serves: a fresh store then copies the
 * closure from Cairn alone, with the upstream's signatures and Cairn's both verifying, and Cairn
 * keeps every path with its references by content.
 */
class UpstreamPullThroughTest {
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  Path tmp;

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void nixCopiesFromCairnWhatItPullsThroughFromSignedUpstreams(Dialect dialect) throws Exception {
    UpstreamCache up = UpstreamCache.build(tmp.resolve("up"), "upstream-1");
    // lib and dep uncompressed in one cache, top (and again its closure) zstd in another: the
    // first upstream lacks top, so top comes from the second, its references from the first.
    Path www = Files.createDirectories(tmp.resolve("www"));
    up.publish(www.resolve("plain"), "none", up.lib);
    up.publish(www.resolve("zst"), "zstd", up.top);
    try (StaticCacheServer nginx = StaticCacheServer.serve(www, Files.createDirectories(tmp.resolve("nginx")));
         TestServer cairn = TestServer.start(dialect, Map.of("CAIRN_CACHE_UPSTREAMS", upstreams(up.publicKey, nginx.url("plain"), nginx.url("zst"))))) {
      String base = cairn.baseUrl();
      String cairnKey = new JsonObject(get(base + "/api/v1/cache/public-keys").body()).getJsonArray("public_keys").getString(0);
      RealNix dst = new RealNix(tmp.resolve("dst"));
      dst.ok("nix", "copy", "--from", base, "--to", dst.store(), "--option", "trusted-public-keys", cairnKey, "--option", "require-sigs", "true",
          up.top);
      assertEquals(Files.readString(up.nix.realPath(up.top)), Files.readString(dst.realPath(up.top)));
      assertEquals(Files.readString(up.nix.realPath(up.dep)), Files.readString(dst.realPath(up.dep)));
      // Cairn's own signature and the upstream's, passed on, both verify the copied closure.
      dst.ok("nix", "store", "verify", "--store", dst.store(), "--sigs-needed", "1", "--trusted-public-keys", cairnKey, "-r", up.top);
      dst.ok("nix", "store", "verify", "--store", dst.store(), "--sigs-needed", "1", "--trusted-public-keys", up.publicKey, "-r", up.top);

      JsonArray want = new JsonArray(up.nix.pathInfoJson(up.top, "-r"));
      assertEquals(3, want.size());
      for (Object o : want) {
        JsonObject w = (JsonObject) o;
        PathInfo stored = stored(cairn, w.getString("path")).orElseThrow(() -> new AssertionError("not kept: " + w.getString("path")));
        assertEquals(Hash.parse(w.getString("narHash")), stored.narSha256());
        assertEquals(w.getJsonArray("references").getList(), stored.references().stream().map(StorePath::fullPath).toList());
        assertTrue(stored.referenceNodes().values().stream().allMatch(r -> r.isKnown()), "references by content: " + stored);
      }
      // Each file was fetched once: top's narinfo from both upstreams (absent from the first), its NAR from the second.
      assertEquals(1, nginx.requests("zst/" + UpstreamCache.hashPart(up.top) + ".narinfo").size());
      assertEquals(1, nginx.requests("plain/" + UpstreamCache.hashPart(up.dep) + ".narinfo").size());
      assertEquals(0, nginx.requests("zst/" + UpstreamCache.hashPart(up.dep) + ".narinfo").size());
      assertEquals(1, nginx.requests("zst/nar/").size(), nginx.requests("nar/").toString());
      assertEquals(2, nginx.requests("plain/nar/").size(), nginx.requests("nar/").toString());
    }
  }

  /**
   * Frankenbuild evidence: Cairn holds dep as one builder made it; a trusted upstream serves lib
   * and top built against another build of dep (same store path, other bytes). Pulling top
   * through records that upstream's claim about dep.
   */
  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void anUpstreamClaimingOtherContentForAPathWeHoldIsRecorded(Dialect dialect) throws Exception {
    UpstreamCache ours = UpstreamCache.build(tmp.resolve("ours"), "ours-1");
    UpstreamCache theirs = UpstreamCache.build(tmp.resolve("theirs"), "theirs-1");
    assertEquals(ours.dep, theirs.dep);
    assertNotEquals(Files.readString(ours.nix.realPath(ours.dep)), Files.readString(theirs.nix.realPath(theirs.dep)));
    Path www = Files.createDirectories(tmp.resolve("www"));
    theirs.publish(www.resolve("theirs"), "zstd", theirs.top);
    try (StaticCacheServer nginx = StaticCacheServer.serve(www, Files.createDirectories(tmp.resolve("nginx")));
         TestServer cairn = TestServer.start(dialect, Map.of("CAIRN_CACHE_UPSTREAMS", upstreams(theirs.publicKey, nginx.url("theirs"))))) {
      Path netrc = Files.writeString(tmp.resolve("netrc"), "machine 127.0.0.1 login x password "
          + cairn.createUser("pusher", dev.cairn.users.Role.WRITER) + "\n");
      ours.nix.ok("nix", "copy", "--from", ours.nix.store(), "--to", cairn.baseUrl() + "?compression=none", "--option", "netrc-file",
          netrc.toString(), ours.dep);
      PathInfo ourDep = stored(cairn, ours.dep).orElseThrow();

      assertEquals(200, get(cairn.baseUrl() + "/" + UpstreamCache.hashPart(theirs.top) + ".narinfo").statusCode());
      // Seen twice (lib and top refer to dep), recorded once.
      var claims = await(cairn.server().store().conflicts().of(ourDep.digest()));
      assertEquals(1, claims.size(), claims.toString());
      var claim = claims.get(0);
      assertEquals(PathInfoConflicts.Source.UPSTREAM, claim.source());
      assertEquals(Optional.of(nginx.url("theirs") + "/"), claim.origin());
      assertTrue(claim.seenVia().isPresent());
      assertTrue(claim.differences().contains("narinfo.nar_sha256"), claim.differences().toString());
      assertNotEquals(ourDep.narSha256(), claim.offeredNarSha256());
      assertEquals(Hash.parse(new JsonArray(theirs.nix.pathInfoJson(theirs.dep)).getJsonObject(0).getString("narHash")), claim.offeredNarSha256());
      assertEquals(theirs.publicKey.split(":")[0], claim.offeredSignatures().get(0).keyName());
      // Ours stays what it was: evidence, not replacement.
      assertEquals(ourDep, stored(cairn, ours.dep).orElseThrow());
    }
  }

  static String upstreams(String key, String... urls) {
    StringBuilder b = new StringBuilder("[");
    for (String url : urls) {
      b.append(b.length() > 1 ? ", " : "").append("{url: \"").append(url).append("\", trusted_public_keys: [\"").append(key).append("\"]}");
    }
    return b.append("]").toString();
  }

  static Optional<PathInfo> stored(TestServer server, String storePath) throws Exception {
    return await(server.server().store().pathInfos().get(StorePathDigest.of(StorePath.parse(storePath))));
  }

  static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
