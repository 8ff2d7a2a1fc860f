package dev.cairn.cache;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.castore.NarIngester;
import dev.cairn.castore.PathComponent;
import dev.cairn.db.Dialect;
import dev.cairn.nix.NarInfo;
import dev.cairn.nix.NarWriter;
import dev.cairn.nix.PublicKey;
import dev.cairn.nix.SecretKey;
import dev.cairn.nix.Signature;
import dev.cairn.nix.StorePath;
import dev.cairn.server.TestServer;
import dev.cairn.store.PathInfo;
import dev.cairn.store.Store;
import dev.cairn.store.StorePathDigest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Narinfos kept in memory: served for GET and HEAD, forgotten when the path gains signatures or is
 * deleted, a change behind this process's back (another replica's) seen within the TTL, bounded by bytes.
 */
class NarInfoCacheTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final StorePathDigest A = StorePathDigest.of(StorePath.parseBaseName("00bgd045z0d4icpbc2yyz4gx48ak44la-a"));
  private static final StorePathDigest B = StorePathDigest.of(StorePath.parseBaseName("11bgd045z0d4icpbc2yyz4gx48ak44la-b"));
  private static final StorePathDigest C = StorePathDigest.of(StorePath.parseBaseName("22bgd045z0d4icpbc2yyz4gx48ak44la-c"));

  @TempDir
  Path tmp;

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void aKeptNarinfoIsForgottenWhenItsPathChanges(Dialect dialect) throws Exception {
    SecretKey ours = SecretKey.generate("cache.example.org-1");
    Path keyFile = Files.writeString(tmp.resolve("ours.key"), ours.toString());
    try (TestServer server = TestServer.start(dialect, Map.of("CAIRN_CACHE_SIGNING_KEY_FILE", keyFile.toString(),
        "CAIRN_CACHE_NARINFO_CACHE_TTL", "2s"))) {
      Store store = server.server().store();
      PathInfo path = pathWithContent(store, "kept " + tmp);
      String url = server.baseUrl() + "/" + path.storePath().hashPart() + ".narinfo";
      await(store.pathInfos().put(path));

      HttpResponse<String> first = get(url);
      assertEquals(200, first.statusCode());
      assertEquals(first.body(), get(url).body(), "the kept narinfo is the one rendered");
      HttpResponse<String> head = head(url);
      assertEquals(200, head.statusCode());
      assertEquals("", head.body());
      assertEquals(Integer.toString(first.body().length()), head.headers().firstValue("Content-Length").orElseThrow());
      NarInfo served = NarInfo.parse(first.body());
      assertTrue(ours.toPublicKey().verify(served.fingerprint(), served.signatures().get(0)), "the kept signature verifies");

      // Signatures merged in: the next answer carries them.
      SecretKey builder = SecretKey.generate("builder-1");
      await(store.pathInfos().put(path.withSignatures(List.of(builder.sign(path.fingerprint())))));
      NarInfo merged = NarInfo.parse(get(url).body());
      assertEquals(List.of("builder-1", "cache.example.org-1"), merged.signatures().stream().map(Signature::keyName).toList());
      for (PublicKey k : List.of(builder.toPublicKey(), ours.toPublicKey())) {
        assertTrue(merged.signatures().stream().anyMatch(s -> k.verify(merged.fingerprint(), s)), k.toString());
      }

      // Deleted: 404 at once, GET and HEAD; stored again: 200 at once.
      assertTrue(await(store.pathInfos().delete(path.digest())));
      assertEquals(404, get(url).statusCode());
      assertEquals(404, head(url).statusCode());
      await(store.pathInfos().put(path));
      assertEquals(200, head(url).statusCode());
      assertEquals(200, get(url).statusCode());

      // Deleted behind this process's back (as another replica would): served until the TTL, then 404.
      await(server.server().db().update("DELETE FROM path_references WHERE referrer = ?", (Object) path.digest().bytes()));
      await(server.server().db().update("DELETE FROM path_infos WHERE digest = ?", (Object) path.digest().bytes()));
      assertEquals(200, get(url).statusCode(), "a kept narinfo is answered from memory");
      Thread.sleep(2100);
      assertEquals(404, get(url).statusCode(), "a change elsewhere is seen within cache.narinfo_cache_ttl");
    }
  }

  @Test
  void keepsAtMostItsBytesLeastRecentlyUsedOut() {
    NarInfoCache cache = new NarInfoCache(10, Duration.ofSeconds(60), () -> 0L);
    cache.put(A, new byte[4], cache.epoch(), 0);
    cache.put(B, new byte[4], cache.epoch(), 0);
    assertTrue(cache.get(A).isPresent()); // A is now the most recently used
    cache.put(C, new byte[4], cache.epoch(), 0);
    assertEquals(Optional.empty(), cache.get(B));
    assertTrue(cache.get(A).isPresent() && cache.get(C).isPresent());
    assertEquals(8, cache.bytes());
    cache.put(B, new byte[11], cache.epoch(), 0);
    assertEquals(Optional.empty(), cache.get(B), "a body larger than the bound is not kept");
    assertEquals(2, cache.size());
  }

  @Test
  void aFillRacingAChangeIsNotKept() {
    NarInfoCache cache = new NarInfoCache(1000, Duration.ofSeconds(60), () -> 0L);
    long before = cache.epoch();
    cache.invalidate(B); // any path changed while A was being read
    cache.put(A, new byte[4], before, 0);
    assertEquals(Optional.empty(), cache.get(A));
    cache.put(A, new byte[4], cache.epoch(), 0);
    assertTrue(cache.get(A).isPresent());
    cache.invalidate(A);
    assertEquals(Optional.empty(), cache.get(A));
    assertEquals(0, cache.bytes());
  }

  @Test
  void anEntryIsServedForTheTtlFromItsRead() {
    AtomicLong now = new AtomicLong();
    NarInfoCache cache = new NarInfoCache(1000, Duration.ofSeconds(60), now::get);
    cache.put(A, new byte[4], cache.epoch(), 0);
    now.set(Duration.ofSeconds(59).toNanos());
    assertTrue(cache.get(A).isPresent());
    now.set(Duration.ofSeconds(60).toNanos());
    assertEquals(Optional.empty(), cache.get(A));
    assertEquals(0, cache.bytes());
    NarInfoCache none = new NarInfoCache(0, Duration.ofSeconds(60), now::get);
    none.put(A, new byte[0], none.epoch(), now.get());
    assertEquals(Optional.empty(), none.get(A), "0 bytes keeps nothing");
  }

  private static PathInfo pathWithContent(Store store, String content) throws Exception {
    Path tree = Files.createTempDirectory("narinfo-cache");
    Files.writeString(tree.resolve("f"), content);
    ByteArrayOutputStream nar = new ByteArrayOutputStream();
    NarWriter.dump(tree, nar);
    NarIngester.Result r = store.ingester().ingest(new ByteArrayInputStream(nar.toByteArray()));
    StorePath path = StorePath.parseBaseName("33bgd045z0d4icpbc2yyz4gx48ak44la-kept");
    return PathInfo.withUnresolvedReferences(path, r.root().withName(PathComponent.of(path.baseNameBytes())), r.narSize(), r.narSha256(),
        List.of(), Optional.empty(), Optional.empty(), List.of());
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> head(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
