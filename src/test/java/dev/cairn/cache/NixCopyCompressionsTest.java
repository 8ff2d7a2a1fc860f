package dev.cairn.cache;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.compression.Compression;
import dev.cairn.db.Dialect;
import dev.cairn.nix.RealNix;
import dev.cairn.nix.StorePath;
import dev.cairn.server.TestServer;
import dev.cairn.store.StorePathDigest;
import dev.cairn.users.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real Nix 2.8 pushes one closure of six paths (a self-reference, a diamond, two outputs of one
 * derivation) with {@code nix copy --to 'http://…?compression=…'} and netrc credentials, in
 * every compression Nix 2.8 writes that Cairn accepts; each is read back into a fresh store
 * with Cairn's signature required and verified, and substituted by {@code nix-store -r} with
 * Cairn as the only substituter. The closure is built once for the class.
 */
class NixCopyCompressionsTest {
  @TempDir
  static Path shared;

  private static RealNix src;
  private static String top;
  private static JsonArray infos;

  @TempDir
  Path tmp;

  @BeforeAll
  static void buildClosure() throws Exception {
    src = new RealNix(shared.resolve("src"));
    top = src.buildClosure();
    infos = new JsonArray(src.pathInfoJson(top, "-r"));
    assertEquals(6, infos.size(), infos.encodePrettily());
    JsonObject selfref = find("-selfref");
    assertTrue(selfref.getJsonArray("references").contains(selfref.getString("path")), "selfref refers to itself");
    assertTrue(find("-multi").getJsonArray("references").contains(find("-multi-dev").getString("path")), "out refers to dev");
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "xz", "zstd", "bzip2", "gzip", "br"})
  void nixCopyToCairnAndBack(String compression) throws Exception {
    Compression c = Compression.ofNixName("compression", compression);
    try (TestServer server = TestServer.start(Dialect.SQLITE)) {
      String base = server.baseUrl();
      Path netrc = Files.writeString(tmp.resolve("netrc"), "machine 127.0.0.1 login x password "
          + server.createUser("pusher", Role.WRITER) + "\n");
      RealNix.Result push = src.ok("nix", "copy", "--debug", "--from", src.store(), "--to", base + "?compression=" + compression,
          "--option", "netrc-file", netrc.toString(), top);
      if (!c.extension().isEmpty()) {
        assertTrue(push.stderr().contains(".nar" + c.extension() + "'"), "Nix uploaded " + compression + ": " + push.stderr());
      }
      for (Object o : infos) {
        StorePath path = StorePath.parse(((JsonObject) o).getString("path"));
        assertTrue(await(server.server().store().pathInfos().get(StorePathDigest.of(path))).isPresent(), path + " stored");
      }
      assertEquals(0L, await(server.server().db().queryOne("SELECT COUNT(*) AS n FROM cache_pending_nars")).orElseThrow().getLong("n"));

      String publicKey = new JsonObject(NixCopyToCacheTest.get(base + "/api/v1/cache/public-keys").body())
          .getJsonArray("public_keys").getString(0);
      RealNix dst = new RealNix(tmp.resolve("dst"));
      dst.ok("nix", "copy", "--from", base, "--to", dst.store(), "--option", "trusted-public-keys", publicKey,
          "--option", "require-sigs", "true", top);
      NixCopyToCacheTest.assertSamePathInfos(infos, dst);
      List<String> verify = new ArrayList<>(List.of("nix", "store", "verify", "--store", dst.store(), "--sigs-needed", "1",
          "--trusted-public-keys", publicKey));
      infos.forEach(o -> verify.add(((JsonObject) o).getString("path")));
      dst.ok(verify.toArray(String[]::new));

      // Substitution with Cairn as the only substituter.
      RealNix sub = new RealNix(tmp.resolve("sub"));
      sub.ok("nix-store", "--store", sub.store(), "-r", top, "--option", "substituters", base,
          "--option", "trusted-public-keys", publicKey);
      assertEquals(Files.readString(src.realPath(top).resolve("uses")), Files.readString(sub.realPath(top).resolve("uses")));
      String selfref = find("-selfref").getString("path");
      assertEquals(selfref + "\n", Files.readString(sub.realPath(selfref).resolve("me")));
    }
  }

  private static JsonObject find(String suffix) {
    return infos.stream().map(o -> (JsonObject) o).filter(o -> o.getString("path").endsWith(suffix)).findFirst().orElseThrow();
  }
}
