package dev.cairn.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.nix.RealNix;
import dev.cairn.nix.StorePath;
import dev.cairn.server.TestServer;
import dev.cairn.store.PathInfo;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
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
    RealNix src = new RealNix(tmp.resolve("src"));
    String dirPath = src.add(tree());
    JsonObject info = new JsonArray(src.pathInfoJson(dirPath)).getJsonObject(0);
    byte[] nar = src.ok("nix-store", "--dump", src.realPath(dirPath).toString()).stdout();
    try (TestServer server = TestServer.start(Dialect.SQLITE)) {
      PathInfo stored = BinaryCacheTest.put(server.server().store(), info, nar);
      String url = server.baseUrl() + "/" + NarUrl.of(stored);
      int bigStart = indexOf(nar, Arrays.copyOf(Files.readAllBytes(tmp.resolve("tree/sub/big")), 64));
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

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
