package dev.cairn.cache;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.nix.Hash;
import dev.cairn.nix.RealNix;
import dev.cairn.nix.StorePath;
import dev.cairn.server.TestServer;
import dev.cairn.store.StorePathDigest;
import dev.cairn.users.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real Nix 2.8 uploads to Cairn with plain {@code nix copy --to 'http://…?compression=none'}
 * and netrc credentials: input-addressed paths with a reference and a deriver, plus a
 * content-addressed tree; read back into a fresh store with Cairn's signatures required. No
 * credentials → 401 and a reader's token → 403, and nothing is stored either way.
 */
class NixCopyToCacheTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  Path tmp;

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void nixCopyToCairnWithNetrcCredentials(Dialect dialect) throws Exception {
    RealNix src = new RealNix(tmp.resolve("src"));
    String top = src.buildInputAddressed();
    Path tree = Files.createDirectories(tmp.resolve("tree/sub"));
    Files.writeString(tree.resolve("big"), "y".repeat(400_000) + tmp);
    Files.writeString(tmp.resolve("tree/small"), "small\n");
    String dirPath = src.add(tmp.resolve("tree"));
    JsonArray infos = new JsonArray(src.pathInfoJson(top, "-r"));
    infos.addAll(new JsonArray(src.pathInfoJson(dirPath)));
    assertEquals(3, infos.size());

    try (TestServer server = TestServer.start(dialect)) {
      String base = server.baseUrl();
      String to = base + "?compression=none";
      String writer = server.createUser("pusher", Role.WRITER);
      String reader = server.createUser("looker", Role.READER);
      Path writerNetrc = netrc("writer.netrc", writer);
      Path readerNetrc = netrc("reader.netrc", reader);

      // No credentials: Nix's PUT of the first NAR is refused, the copy fails, nothing is stored.
      RealNix.Result anonymous = src.run("nix", "copy", "--from", src.store(), "--to", to, top);
      assertNotEquals(0, anonymous.exit(), anonymous.stderr());
      assertTrue(anonymous.stderr().contains("401"), anonymous.stderr());
      RealNix.Result asReader = src.run("nix", "copy", "--from", src.store(), "--to", to, "--option", "netrc-file", readerNetrc.toString(), top);
      assertNotEquals(0, asReader.exit(), asReader.stderr());
      assertTrue(asReader.stderr().contains("403"), asReader.stderr());
      assertEquals(0, stored(server, infos), "nothing stored without a writer's token");
      assertEquals(0L, pendingRows(server));

      src.ok("nix", "copy", "--from", src.store(), "--to", to, "--option", "netrc-file", writerNetrc.toString(), top, dirPath);
      assertEquals(3, stored(server, infos));
      assertEquals(0L, pendingRows(server), "each pending NAR is bound by its narinfo");
      // Again: every path is there already, Nix uploads nothing and succeeds.
      src.ok("nix", "copy", "--from", src.store(), "--to", to, "--option", "netrc-file", writerNetrc.toString(), top, dirPath);

      String publicKey = new JsonObject(get(base + "/api/v1/cache/public-keys").body()).getJsonArray("public_keys").getString(0);
      RealNix dst = new RealNix(tmp.resolve("dst"));
      dst.ok("nix", "copy", "--from", base, "--to", dst.store(), "--option", "trusted-public-keys", publicKey,
          "--option", "require-sigs", "true", top, dirPath);
      for (Object o : infos) {
        JsonObject want = (JsonObject) o;
        JsonObject got = new JsonArray(dst.pathInfoJson(want.getString("path"))).getJsonObject(0);
        assertEquals(Hash.parse(want.getString("narHash")), Hash.parse(got.getString("narHash")), want.getString("path"));
        assertEquals(want.getJsonArray("references"), got.getJsonArray("references"), want.getString("path"));
        assertEquals(want.getString("deriver"), got.getString("deriver"), want.getString("path"));
        assertEquals(want.getString("ca"), got.getString("ca"), want.getString("path"));
      }
      assertEquals(Files.readString(src.realPath(top)), Files.readString(dst.realPath(top)));
      dst.ok("nix", "store", "verify", "--store", dst.store(), "--sigs-needed", "1", "--trusted-public-keys", publicKey, top, dirPath);
    }
  }

  private Path netrc(String name, String token) throws Exception {
    return Files.writeString(tmp.resolve(name), "machine 127.0.0.1 login x password " + token + "\n");
  }

  private static int stored(TestServer server, JsonArray infos) throws Exception {
    int n = 0;
    for (Object o : infos) {
      StorePath path = StorePath.parse(((JsonObject) o).getString("path"));
      n += await(server.server().store().pathInfos().get(StorePathDigest.of(path))).isPresent() ? 1 : 0;
    }
    return n;
  }

  private static long pendingRows(TestServer server) throws Exception {
    return await(server.server().db().queryOne("SELECT COUNT(*) AS n FROM cache_pending_nars")).orElseThrow().getLong("n");
  }

  static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

}
