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
import com.github.luben.zstd.Zstd;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.NarWriter;
import io.vertx.core.json.JsonArray;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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

      // Asked (and answered 404) before the upload, found right after it: "not here" is never remembered.
      String topNarInfo = base + "/" + StorePath.parse(top).hashPart() + ".narinfo";
      assertEquals(404, get(topNarInfo).statusCode());
      // top and its reference as zstd, the tree uncompressed.
      RealNix.Result zstd = src.ok("nix", "copy", "--debug", "--from", src.store(), "--to", base + "?compression=zstd", "--option", "netrc-file",
          writerNetrc.toString(), top);
      assertTrue(zstd.stderr().contains(".nar.zst"), "Nix uploaded zstd NARs: " + zstd.stderr());
      src.ok("nix", "copy", "--from", src.store(), "--to", to, "--option", "netrc-file", writerNetrc.toString(), dirPath);
      assertEquals(3, stored(server, infos));
      assertEquals(200, get(topNarInfo).statusCode());
      assertEquals(0L, pendingRows(server), "each pending NAR is bound by its narinfo");
      // Again: every path is there already, Nix uploads nothing and succeeds.
      src.ok("nix", "copy", "--from", src.store(), "--to", to, "--option", "netrc-file", writerNetrc.toString(), top, dirPath);

      String publicKey = new JsonObject(get(base + "/api/v1/cache/public-keys").body()).getJsonArray("public_keys").getString(0);
      RealNix dst = new RealNix(tmp.resolve("dst"));
      dst.ok("nix", "copy", "--from", base, "--to", dst.store(), "--option", "trusted-public-keys", publicKey,
          "--option", "require-sigs", "true", top, dirPath);
      assertSamePathInfos(infos, dst);
      assertEquals(Files.readString(src.realPath(top)), Files.readString(dst.realPath(top)));
      dst.ok("nix", "store", "verify", "--store", dst.store(), "--sigs-needed", "1", "--trusted-public-keys", publicKey, top, dirPath);
    }
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void badUploadsAreRefusedNamingTheField(Dialect dialect) throws Exception {
    Path tree = Files.createDirectories(tmp.resolve("tree"));
    Files.writeString(tree.resolve("f"), "z".repeat(300_000) + tmp);
    ByteArrayOutputStream narOut = new ByteArrayOutputStream();
    NarWriter.dump(tree, narOut);
    byte[] nar = narOut.toByteArray();
    Hash narHash = new Hash(HashAlgorithm.SHA256, HashAlgorithm.SHA256.newDigest().digest(nar));
    byte[] zst = Zstd.compress(nar);
    StorePath path = StorePath.parseBaseName("00bgd045z0d4icpbc2yyz4gx48ak44la-tree");
    try (TestServer server = TestServer.start(dialect)) {
      String base = server.baseUrl();
      String token = server.createUser("pusher", Role.WRITER);
      String narName = narHash.toNix32() + ".nar";

      // Only writers: anonymous 401, reader 403, before the body.
      assertEquals(401, put(base + "/nar/" + narName, null, nar).statusCode());
      assertEquals(403, put(base + "/nar/" + narName, server.createUser("looker", Role.READER), nar).statusCode());

      // A narinfo before its NAR.
      String narinfo = narInfo(path, narName, narHash, nar.length);
      HttpResponse<String> early = put(base + "/" + path.hashPart() + ".narinfo", token, narinfo.getBytes(StandardCharsets.UTF_8));
      assertEquals(409, early.statusCode());
      assertTrue(early.body().contains("FileHash: no NAR"), early.body());

      // Names: other compressions, a name that is not the file's hash.
      HttpResponse<String> lz4 = put(base + "/nar/" + narHash.toNix32() + ".nar.lz4", token, nar);
      assertEquals(400, lz4.statusCode());
      assertTrue(lz4.body().contains("compression"), lz4.body());
      HttpResponse<String> misnamed = put(base + "/nar/" + narName + ".zst", token, zst);
      assertEquals(400, misnamed.statusCode());
      assertTrue(misnamed.body().contains("not to its name"), misnamed.body());

      // Broken zstd: cut short, and not zstd at all.
      byte[] cut = Arrays.copyOf(zst, zst.length / 2);
      String cutName = sha256(cut).toNix32() + ".nar.zst";
      HttpResponse<String> truncated = put(base + "/nar/" + cutName, token, cut);
      assertEquals(400, truncated.statusCode());
      assertTrue(truncated.body().contains("truncated"), truncated.body());
      HttpResponse<String> garbage = put(base + "/nar/" + narName + ".zst", token, nar);
      assertEquals(400, garbage.statusCode());
      assertTrue(garbage.body().contains("not valid zstd"), garbage.body());
      assertEquals(0L, pendingRows(server), "refused NARs leave no pending upload");

      // The NAR, then narinfos that disagree with it.
      String zstName = sha256(zst).toNix32() + ".nar.zst";
      assertEquals(200, put(base + "/nar/" + zstName, token, zst).statusCode());
      HttpResponse<String> wrongSize = put(base + "/" + path.hashPart() + ".narinfo", token,
          narInfo(path, zstName, narHash, nar.length + 1).getBytes(StandardCharsets.UTF_8));
      assertEquals(422, wrongSize.statusCode());
      assertTrue(wrongSize.body().contains("NarSize"), wrongSize.body());
      HttpResponse<String> otherPath = put(base + "/" + "11bgd045z0d4icpbc2yyz4gx48ak44la.narinfo", token,
          narInfo(path, zstName, narHash, nar.length).getBytes(StandardCharsets.UTF_8));
      assertEquals(422, otherPath.statusCode());
      assertTrue(otherPath.body().contains("StorePath"), otherPath.body());
      HttpResponse<String> malformed = put(base + "/" + path.hashPart() + ".narinfo", token,
          narInfo(path, zstName, narHash, nar.length).replace("NarSize: ", "NarSize: x").getBytes(StandardCharsets.UTF_8));
      assertEquals(422, malformed.statusCode());
      assertTrue(malformed.body().contains("NarSize"), malformed.body());
      assertEquals(404, get(base + "/" + path.hashPart() + ".narinfo").statusCode());

      // A reference this cache does not hold: refused (Nix uploads dependencies first).
      StorePath absent = StorePath.parseBaseName("22bgd045z0d4icpbc2yyz4gx48ak44la-dep");
      HttpResponse<String> dangling = put(base + "/" + path.hashPart() + ".narinfo", token,
          narInfo(path, zstName, narHash, nar.length).replace("References: ", "References: " + absent.baseName())
              .getBytes(StandardCharsets.UTF_8));
      assertEquals(409, dangling.statusCode());
      assertTrue(dangling.body().contains("References: " + absent.baseName()), dangling.body());
      assertEquals(404, get(base + "/" + path.hashPart() + ".narinfo").statusCode());

      // The right one is stored; again is fine; other content for the path is a 409.
      String good = narInfo(path, zstName, narHash, nar.length);
      assertEquals(200, put(base + "/" + path.hashPart() + ".narinfo", token, good.getBytes(StandardCharsets.UTF_8)).statusCode());
      assertEquals(200, get(base + "/" + path.hashPart() + ".narinfo").statusCode());
      assertEquals(0L, pendingRows(server));
      assertEquals(200, put(base + "/nar/" + zstName, token, zst).statusCode());
      assertEquals(200, put(base + "/" + path.hashPart() + ".narinfo", token, good.getBytes(StandardCharsets.UTF_8)).statusCode());
      Files.writeString(tree.resolve("f"), "other " + tmp);
      ByteArrayOutputStream otherOut = new ByteArrayOutputStream();
      NarWriter.dump(tree, otherOut);
      byte[] other = otherOut.toByteArray();
      Hash otherHash = sha256(other);
      assertEquals(200, put(base + "/nar/" + otherHash.toNix32() + ".nar", token, other).statusCode());
      HttpResponse<String> conflict = put(base + "/" + path.hashPart() + ".narinfo", token,
          narInfo(path, otherHash.toNix32() + ".nar", otherHash, other.length).getBytes(StandardCharsets.UTF_8));
      assertEquals(409, conflict.statusCode());
      assertTrue(conflict.body().contains("immutable"), conflict.body());
      // PUT /nix-cache-info (Nix sends one when its GET fails) is harmless.
      assertEquals(204, put(base + "/nix-cache-info", token, "StoreDir: /nix/store\n".getBytes(StandardCharsets.UTF_8)).statusCode());
    }
  }

  private static String narInfo(StorePath path, String narFile, Hash narHash, long narSize) {
    return "StorePath: " + path.fullPath() + "\nURL: nar/" + narFile + "\nCompression: none\nNarHash: " + narHash.toNixString()
        + "\nNarSize: " + narSize + "\nReferences: \n";
  }

  private static Hash sha256(byte[] bytes) {
    return new Hash(HashAlgorithm.SHA256, HashAlgorithm.SHA256.newDigest().digest(bytes));
  }

  private static HttpResponse<String> put(String url, String token, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
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

  /** Each of {@code infos} ({@code nix path-info --json}) has the same NAR, references, deriver and CA in {@code dst}. */
  static void assertSamePathInfos(JsonArray infos, RealNix dst) throws Exception {
    for (Object o : infos) {
      JsonObject want = (JsonObject) o;
      JsonObject got = new JsonArray(dst.pathInfoJson(want.getString("path"))).getJsonObject(0);
      assertEquals(Hash.parse(want.getString("narHash")), Hash.parse(got.getString("narHash")), want.getString("path"));
      assertEquals(want.getJsonArray("references"), got.getJsonArray("references"), want.getString("path"));
      assertEquals(want.getString("deriver"), got.getString("deriver"), want.getString("path"));
      assertEquals(want.getString("ca"), got.getString("ca"), want.getString("path"));
    }
  }

  static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

}
