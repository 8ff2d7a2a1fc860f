package dev.cairn.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.server.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry against real clients: skopeo inspects and copies a two-package image, umoci
 * unpacks it and runc runs the busybox from the store inside it; the same name gives the same
 * manifest digest on SQLite and PostgreSQL and on a fresh server; a private registry lets skopeo
 * in through the Bearer token flow with {@code --src-creds}; gzip layers copy and unpack, zstd layers copy and decompress.
 */
class RegistryRealClientsTest {
  @TempDir
  static Path tmp;
  static RegistryFixture fixture;

  @BeforeAll
  static void buildPaths() throws Exception {
    fixture = new RegistryFixture(tmp.resolve("fixture"));
  }

  @Test
  void skopeoCopiesAnImageThatRuncRuns() throws Exception {
    try (TestServer server = TestServer.start(Dialect.SQLITE)) {
      fixture.load(server);
      String image = "docker://127.0.0.1:" + server.port() + "/busybox/top:latest";
      JsonObject inspect = new JsonObject(RegistryFixture.run("skopeo", "inspect", "--tls-verify=false", image));
      assertEquals(ImageDocuments.architecture(), inspect.getString("Architecture"));
      assertEquals("linux", inspect.getString("Os"));
      // the budget (100) is far from used: each of busybox, top and dep gets a layer of its own
      // (grouped by the top-level paths needing them, top and dep would share one), then the customisation layer
      assertEquals(4, inspect.getJsonArray("Layers").size(), inspect.encodePrettily());

      Path oci = tmp.resolve("oci");
      RegistryFixture.run("skopeo", "copy", "--src-tls-verify=false", image, "oci:" + oci + ":latest");
      Path bundle = tmp.resolve("bundle");
      RegistryFixture.run("umoci", "unpack", "--image", oci + ":latest", bundle.toString());
      assertTrue(Files.isSymbolicLink(bundle.resolve("rootfs/bin/sh")));
      assertEquals("1777", Integer.toOctalString(Files.getAttribute(bundle.resolve("rootfs/tmp"), "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS) instanceof Integer m ? m & 07777 : -1));

      Path configFile = bundle.resolve("config.json");
      JsonObject config = new JsonObject(Files.readString(configFile));
      JsonObject process = config.getJsonObject("process");
      process.put("terminal", false);
      process.put("args", new JsonArray().add("/bin/sh").add("-c").add("echo hello from cairn; cat " + fixture.top));
      Files.writeString(configFile, config.encode());
      String out = RegistryFixture.run("runc", "--root", tmp.resolve("runc").toString(), "run", "--bundle", bundle.toString(),
          "cairn-registry-test-" + ProcessHandle.current().pid());
      assertEquals("hello from cairn\n" + fixture.dep + "\n", out);
    }
  }

  @Test
  void aNonrootNameRunsAsTheNobodyOfItsPasswd() throws Exception {
    try (TestServer server = TestServer.start(Dialect.SQLITE)) {
      fixture.load(server);
      Path bundle = copyAndUnpack(server, "busybox/nonroot", "nonroot").resolve("bundle");
      JsonObject user = new JsonObject(Files.readString(bundle.resolve("config.json"))).getJsonObject("process").getJsonObject("user");
      String nobody = Files.readAllLines(bundle.resolve("rootfs/etc/passwd")).stream().filter(l -> l.startsWith("nobody:")).findFirst().orElseThrow();
      String[] fields = nobody.split(":");
      assertEquals(Integer.parseInt(fields[2]), user.getInteger("uid"), user.encode());
      assertEquals(Integer.parseInt(fields[3]), user.getInteger("gid"), user.encode());
      assertTrue(user.getInteger("uid") != 0);
    }
  }

  @Test
  void gzipLayersAreMadeOnceKeptAndServedWithRanges() throws Exception {
    try (TestServer server = TestServer.start(Dialect.SQLITE, Map.of("CAIRN_REGISTRY_LAYER_COMPRESSION", "gzip"))) {
      fixture.load(server);
      Path oci = copyAndUnpack(server, "busybox/top", "gzip");
      Path bundle = oci.resolve("bundle");
      assertTrue(Files.isSymbolicLink(bundle.resolve("rootfs/bin/sh")));
      assertEquals(fixture.dep, Files.readString(bundle.resolve("rootfs" + fixture.top)).strip());

      // diff_ids are the digests of the uncompressed tars, layer digests those of the gzip bytes
      JsonObject index = new JsonObject(Files.readString(oci.resolve("index.json")));
      JsonObject manifest = new JsonObject(Files.readString(blob(oci, index.getJsonArray("manifests").getJsonObject(0).getString("digest"))));
      JsonArray layers = manifest.getJsonArray("layers");
      assertLayersDecompressToDiffIds(oci, "gzip", 4);

      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      String v2 = server.baseUrl() + "/v2/busybox/top/";
      JsonObject docker = new JsonObject(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(v2 + "manifests/latest"))
          .header("Accept", ImageDocuments.DOCKER_MANIFEST).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body());
      docker.getJsonArray("layers").forEach(l -> assertEquals(ImageDocuments.DOCKER_LAYER + ".gzip", ((JsonObject) l).getString("mediaType")));

      // the biggest layer (busybox) is a kept blob: a Range resumes it with the right bytes
      JsonObject big = layers.stream().map(JsonObject.class::cast).max(java.util.Comparator.comparingLong(l -> l.getLong("size"))).orElseThrow();
      byte[] whole = Files.readAllBytes(blob(oci, big.getString("digest")));
      var ranged = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(v2 + "blobs/" + big.getString("digest")))
          .header("Range", "bytes=1000-").build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(206, ranged.statusCode());
      assertEquals("bytes 1000-" + (whole.length - 1) + "/" + whole.length, ranged.headers().firstValue("Content-Range").orElseThrow());
      assertTrue(java.util.Arrays.equals(java.util.Arrays.copyOfRange(whole, 1000, whole.length), ranged.body()));
    }
  }

  /**
   * zstd layers through the clients Debian has: skopeo 1.9 copies them into an OCI layout, checking
   * every blob against the manifest's digest and size, and decompresses them with its own zstd
   * decoder into a {@code dir:} copy whose layers are exactly the diff_ids. (umoci 0.4.7 does not
   * unpack zstd layers: "blob is not correct mediatype"; the gzip test unpacks and runs.)
   */
  @Test
  void zstdLayersAreCopiedWithCheckedDigestsAndDecompressToTheirDiffIds() throws Exception {
    try (TestServer server = TestServer.start(Dialect.SQLITE, Map.of("CAIRN_REGISTRY_LAYER_COMPRESSION", "zstd"))) {
      fixture.load(server);
      String image = "docker://127.0.0.1:" + server.port() + "/busybox/top:latest";
      Path oci = tmp.resolve("zstd");
      RegistryFixture.run("skopeo", "copy", "--src-tls-verify=false", image, "oci:" + oci + ":latest");
      JsonArray diffIds = assertLayersDecompressToDiffIds(oci, "zstd", 4);

      Path dir = tmp.resolve("zstd-dir");
      RegistryFixture.run("skopeo", "copy", "--src-tls-verify=false", "--dest-decompress", image, "dir:" + dir);
      for (int i = 0; i < diffIds.size(); i++) {
        String hex = diffIds.getString(i).substring("sha256:".length());
        assertEquals(hex, java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(dir.resolve(hex)))));
      }
    }
  }

  /** The OCI layout's image has {@code count} layers of the compression's media type, each decompressing to its diff_id; answers the diff_ids. */
  private static JsonArray assertLayersDecompressToDiffIds(Path oci, String compression, int count) throws Exception {
    JsonObject index = new JsonObject(Files.readString(oci.resolve("index.json")));
    JsonObject manifest = new JsonObject(Files.readString(blob(oci, index.getJsonArray("manifests").getJsonObject(0).getString("digest"))));
    JsonObject config = new JsonObject(Files.readString(blob(oci, manifest.getJsonObject("config").getString("digest"))));
    JsonArray layers = manifest.getJsonArray("layers");
    JsonArray diffIds = config.getJsonObject("rootfs").getJsonArray("diff_ids");
    assertEquals(count, layers.size());
    for (int i = 0; i < layers.size(); i++) {
      JsonObject layer = layers.getJsonObject(i);
      assertEquals(ImageDocuments.OCI_LAYER + "+" + compression, layer.getString("mediaType"));
      java.io.InputStream stored = Files.newInputStream(blob(oci, layer.getString("digest")));
      try (var in = compression.equals("gzip") ? new java.util.zip.GZIPInputStream(stored) : new com.github.luben.zstd.ZstdInputStream(stored)) {
        assertEquals(diffIds.getString(i), "sha256:" + java.util.HexFormat.of().formatHex(
            java.security.MessageDigest.getInstance("SHA-256").digest(in.readAllBytes())));
      }
    }
    return diffIds;
  }

  /** skopeo copies {@code name:latest} into the OCI layout {@code tmp/dir}; umoci unpacks it into its {@code bundle}. */
  private static Path copyAndUnpack(TestServer server, String name, String dir) throws Exception {
    Path oci = tmp.resolve(dir);
    RegistryFixture.run("skopeo", "copy", "--src-tls-verify=false", "docker://127.0.0.1:" + server.port() + "/" + name + ":latest",
        "oci:" + oci + ":latest");
    RegistryFixture.run("umoci", "unpack", "--image", oci + ":latest", oci.resolve("bundle").toString());
    return oci;
  }

  private static Path blob(Path oci, String digest) {
    return oci.resolve("blobs/sha256/" + digest.substring("sha256:".length()));
  }

  @Test
  void sameManifestDigestOnBothDialectsAndAfterARestart() throws Exception {
    String sqlite = manifestDigest(Dialect.SQLITE);
    assertEquals(sqlite, manifestDigest(Dialect.POSTGRESQL));
    assertEquals(sqlite, manifestDigest(Dialect.SQLITE));
  }

  private static String manifestDigest(Dialect dialect) throws Exception {
    try (TestServer server = TestServer.start(dialect)) {
      fixture.load(server);
      String image = "docker://127.0.0.1:" + server.port() + "/top/busybox:latest";
      return new JsonObject(RegistryFixture.run("skopeo", "inspect", "--tls-verify=false", image)).getString("Digest");
    }
  }

  @Test
  void aPrivateRegistryLetsSkopeoInWithACairnToken() throws Exception {
    try (TestServer server = TestServer.start(Dialect.SQLITE, Map.of("CAIRN_REGISTRY_PRIVATE", "true"))) {
      fixture.load(server);
      String token = server.createUser("puller");
      String image = "docker://127.0.0.1:" + server.port() + "/busybox:latest";
      ProcessBuilder anonymous = new ProcessBuilder("skopeo", "inspect", "--tls-verify=false", image).redirectErrorStream(true);
      Process p = anonymous.start();
      String refused = new String(p.getInputStream().readAllBytes());
      assertTrue(p.waitFor() != 0 && refused.contains("unauthorized"), refused);
      Path oci = tmp.resolve("private-oci");
      RegistryFixture.run("skopeo", "copy", "--src-tls-verify=false", "--src-creds", "puller:" + token, image, "oci:" + oci + ":latest");
      JsonObject index = new JsonObject(Files.readString(oci.resolve("index.json")));
      assertEquals(1, index.getJsonArray("manifests").size());
    }
  }
}
