package dev.cairn.cache;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.compression.Compression;
import dev.cairn.db.Dialect;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.NarInfo;
import dev.cairn.nix.NarWriter;
import dev.cairn.nix.RealNix;
import dev.cairn.nix.StorePath;
import dev.cairn.server.TestServer;
import dev.cairn.store.gc.GarbageCollector;
import dev.cairn.store.gc.GcOptions;
import dev.cairn.store.gc.GcReport;
import dev.cairn.users.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the upload side refuses, and what it leaves behind: curl's {@code Expect: 100-continue}
 * is answered only once the token is good (a bad one gets its 401 with the body never sent);
 * truncated and corrupted NARs in every compression real Nix writes are refused naming the
 * compression; narinfos that disagree with their NAR are refused naming the field; a dropped
 * 100 MB+ upload and an upload whose narinfo never came leave no PathInfo, no usable pending
 * NAR, and nothing a garbage collection keeps once the grace period has passed.
 */
class CacheUploadRefusalsTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  Path tmp;

  @Test
  void expectContinueIsAnsweredOnlyAfterAuthentication() throws Exception {
    byte[] nar = randomNar(3 << 20);
    Path file = Files.write(tmp.resolve("upload.nar"), nar);
    RealNix curl = new RealNix(tmp.resolve("curl"));
    try (TestServer server = TestServer.start(Dialect.SQLITE)) {
      String url = server.baseUrl() + "/nar/" + sha256(nar).toNix32() + ".nar";
      String token = server.createUser("pusher", Role.WRITER);
      // curl waits up to --expect100-timeout for the 100 before it sends the body anyway.
      String[] upload = {"curl", "-sS", "-v", "--http1.1", "-X", "PUT", "-H", "Expect: 100-continue", "--expect100-timeout", "120",
          "--data-binary", "@" + file, "-o", "/dev/null", "-w", "%{http_code} %{size_upload} %{time_total}", url};

      RealNix.Result refused = curl.run(with(upload, "-H", "Authorization: Bearer not-a-token"));
      String[] r = refused.out().split(" ");
      assertEquals("401", r[0], refused.stderr());
      assertEquals("0", r[1], "the body of a refused upload is never sent");
      assertFalse(refused.stderr().contains("100 Continue"), refused.stderr());

      RealNix.Result accepted = curl.run(with(upload, "-H", "Authorization: Bearer " + token));
      String[] a = accepted.out().split(" ");
      assertEquals("200", a[0], accepted.stderr());
      assertEquals(Integer.toString(nar.length), a[1]);
      assertTrue(accepted.stderr().contains("100 Continue"), accepted.stderr());
      assertTrue(Double.parseDouble(a[2]) < 60, "curl was asked for the body, it did not time out waiting: " + a[2]);
    }
  }

  @Test
  void brokenCompressedNarsAndDisagreeingNarinfosAreRefused() throws Exception {
    RealNix nix = new RealNix(tmp.resolve("nix"));
    Path tree = Files.createDirectories(tmp.resolve("tree"));
    Files.writeString(tree.resolve("text"), "cairn ".repeat(60_000) + tmp);
    Files.write(tree.resolve("noise"), randomNar(100_000));
    String storePath = nix.add(tree);
    StorePath path = StorePath.parse(storePath);
    JsonObject info = new JsonArray(nix.pathInfoJson(storePath)).getJsonObject(0);
    Hash narHash = Hash.parse(info.getString("narHash"));
    long narSize = info.getLong("narSize");
    Map<Compression, byte[]> files = nix.narFiles(storePath, Compression.values());
    try (TestServer server = TestServer.start(Dialect.SQLITE)) {
      String base = server.baseUrl();
      String token = server.createUser("pusher", Role.WRITER);
      String narinfoUrl = base + "/" + path.hashPart() + ".narinfo";
      for (Compression c : Compression.values()) {
        if (c == Compression.NONE) {
          continue;
        }
        byte[] file = files.get(c);
        byte[] cut = Arrays.copyOf(file, file.length / 2);
        HttpResponse<String> truncated = put(base + "/nar/" + sha256(cut).toNix32() + ".nar" + c.extension(), token, cut);
        assertEquals(400, truncated.statusCode(), c + ": " + truncated.body());
        assertTrue(truncated.body().contains(c.nixName()), truncated.body());

        byte[] corrupt = file.clone();
        corrupt[file.length / 2] ^= 0x55;
        String corruptName = sha256(corrupt).toNix32() + ".nar" + c.extension();
        HttpResponse<String> corrupted = put(base + "/nar/" + corruptName, token, corrupt);
        if (corrupted.statusCode() == 200) {
          // brotli and Nix's zstd have no checksum: what it decoded to is not the NAR the narinfo names.
          assertTrue(c == Compression.BR || c == Compression.ZSTD, c + " decoded a corrupted file");
          HttpResponse<String> refused = put(narinfoUrl, token, narInfo(path, corruptName, c, narHash, narSize));
          assertEquals(422, refused.statusCode(), refused.body());
          assertTrue(refused.body().contains("NarHash") || refused.body().contains("NarSize"), refused.body());
        } else {
          assertTrue(corrupted.statusCode() >= 400 && corrupted.statusCode() < 500, c + ": " + corrupted.statusCode());
          assertTrue(corrupted.body().contains(c.nixName()) || corrupted.body().contains("nar"), corrupted.body());
        }
      }
      assertEquals(404, NixCopyToCacheTest.get(narinfoUrl).statusCode(), "nothing stored");

      // Whole xz, then narinfos that disagree with it: wrong NarHash, wrong NarSize.
      String xzName = sha256(files.get(Compression.XZ)).toNix32() + ".nar.xz";
      assertEquals(200, put(base + "/nar/" + xzName, token, files.get(Compression.XZ)).statusCode());
      Hash otherHash = sha256(new byte[] {1});
      HttpResponse<String> wrongHash = put(narinfoUrl, token, narInfo(path, xzName, Compression.XZ, otherHash, narSize));
      assertEquals(422, wrongHash.statusCode(), wrongHash.body());
      assertTrue(wrongHash.body().contains("NarHash: is " + otherHash.toNixString()), wrongHash.body());
      HttpResponse<String> wrongSize = put(narinfoUrl, token, narInfo(path, xzName, Compression.XZ, narHash, narSize - 1));
      assertEquals(422, wrongSize.statusCode(), wrongSize.body());
      assertTrue(wrongSize.body().contains("NarSize"), wrongSize.body());
      assertEquals(404, NixCopyToCacheTest.get(narinfoUrl).statusCode(), "nothing stored");
      assertEquals(200, put(narinfoUrl, token, narInfo(path, xzName, Compression.XZ, narHash, narSize)).statusCode());
      NarInfo served = NarInfo.parse(NixCopyToCacheTest.get(narinfoUrl).body());
      assertEquals(narHash, served.narHash());
    }
  }

  @Test
  void droppedAndAbandonedUploadsLeaveNothingACollectionKeeps() throws Exception {
    // Grace 2 s: a pending NAR is usable for 1 s from the start of its upload.
    try (TestServer server = TestServer.start(Dialect.SQLITE, Map.of("CAIRN_CASTORE_GC_GRACE", "2s"))) {
      String base = server.baseUrl();
      String token = server.createUser("pusher", Role.WRITER);

      // 110 MB of a 150 MiB NAR, then the connection is reset.
      Hash dropped = sha256("dropped".getBytes(StandardCharsets.UTF_8));
      long declared = 150L << 20;
      try (Socket socket = new Socket("127.0.0.1", server.port())) {
        OutputStream out = socket.getOutputStream();
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        NarWriter.dump(Files.write(tmp.resolve("empty"), new byte[0]), header);
        byte[] narStart = Arrays.copyOf(header.toByteArray(), header.size() - 24); // up to the contents' length
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(declared);
        out.write(("PUT /nar/" + dropped.toNix32() + ".nar HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
            + "\r\nContent-Length: " + (narStart.length + 8 + declared + 24) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(narStart);
        out.write(length.array());
        byte[] piece = new byte[1 << 20];
        Random random = new Random(7);
        for (int i = 0; i < 110; i++) {
          random.nextBytes(piece);
          out.write(piece);
        }
        out.flush();
        socket.setSoLinger(true, 0);
      }
      StorePath never = StorePath.parseBaseName("33bgd045z0d4icpbc2yyz4gx48ak44la-dropped");
      HttpResponse<String> early = put(base + "/" + never.hashPart() + ".narinfo", token,
          narInfo(never, dropped.toNix32() + ".nar", Compression.NONE, dropped, declared));
      assertEquals(409, early.statusCode(), early.body());
      assertTrue(early.body().contains("FileHash: no NAR"), early.body());

      // A whole NAR whose narinfo never comes: usable for the lifetime, then refused and removed.
      byte[] abandoned = randomNar(300_000);
      String abandonedName = sha256(abandoned).toNix32() + ".nar";
      assertEquals(200, put(base + "/nar/" + abandonedName, token, abandoned).statusCode());
      assertEquals(1L, pendingRows(server));
      Thread.sleep(1_200);
      StorePath late = StorePath.parseBaseName("44bgd045z0d4icpbc2yyz4gx48ak44la-late");
      Hash abandonedHash = sha256(abandoned);
      HttpResponse<String> expired = put(base + "/" + late.hashPart() + ".narinfo", token,
          narInfo(late, abandonedName, Compression.NONE, abandonedHash, abandoned.length));
      assertEquals(409, expired.statusCode(), expired.body());
      byte[] kept = randomNar(200_000);
      String keptName = sha256(kept).toNix32() + ".nar";
      assertEquals(200, put(base + "/nar/" + keptName, token, kept).statusCode());
      assertEquals(1L, pendingRows(server), "the expired row is gone, the new one waits");
      StorePath bound = StorePath.parseBaseName("55bgd045z0d4icpbc2yyz4gx48ak44la-kept");
      assertEquals(200, put(base + "/" + bound.hashPart() + ".narinfo", token,
          narInfo(bound, keptName, Compression.NONE, sha256(kept), kept.length)).statusCode());
      assertEquals(0L, pendingRows(server));

      // Past the grace period a collection takes the dropped and the abandoned uploads' content.
      Thread.sleep(2_200);
      GarbageCollector gc = GarbageCollector.of(server.server().db(), server.server().store(), dev.cairn.server.Capabilities.metadataSweeps(server.server().db()));
      GcReport report = await(gc.run(new GcOptions(Duration.ofSeconds(2), false)));
      assertTrue(report.blobs() >= 1, "the abandoned NAR's blob: " + report.summary());
      assertTrue(report.chunkBytes() >= 100L << 20, "the dropped upload's chunks: " + report.summary());
      assertEquals(0, await(gc.run(new GcOptions(Duration.ofSeconds(2), false))).objects());
      HttpResponse<String> keptInfo = NixCopyToCacheTest.get(base + "/" + bound.hashPart() + ".narinfo");
      assertEquals(200, keptInfo.statusCode());
      HttpResponse<byte[]> keptNar = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/" + NarInfo.parse(keptInfo.body()).url())).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, keptNar.statusCode());
      assertArrayEquals(kept, keptNar.body(), "the bound upload survives the collection");
    }
  }

  private static byte[] narInfo(StorePath path, String narFile, Compression c, Hash narHash, long narSize) {
    return ("StorePath: " + path.fullPath() + "\nURL: nar/" + narFile + "\nCompression: " + c.nixName() + "\nNarHash: "
        + narHash.toNixString() + "\nNarSize: " + narSize + "\nReferences: \n").getBytes(StandardCharsets.UTF_8);
  }

  private static HttpResponse<String> put(String url, String token, byte[] body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofByteArray(body))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static long pendingRows(TestServer server) throws Exception {
    return await(server.server().db().queryOne("SELECT COUNT(*) AS n FROM cache_pending_nars")).orElseThrow().getLong("n");
  }

  private static String[] with(String[] command, String... extra) {
    String[] all = Arrays.copyOf(command, command.length + extra.length);
    System.arraycopy(extra, 0, all, command.length - 1, extra.length);
    all[all.length - 1] = command[command.length - 1];
    return all;
  }

  /** A NAR of one regular file of {@code size} random bytes. */
  static byte[] randomNar(int size) throws Exception {
    Path dir = Files.createTempDirectory("cairn-nar-");
    byte[] content = new byte[size];
    new Random(size).nextBytes(content);
    Files.write(dir.resolve("f"), content);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    NarWriter.dump(dir.resolve("f"), out);
    return out.toByteArray();
  }

  static Hash sha256(byte[] bytes) {
    return new Hash(HashAlgorithm.SHA256, HashAlgorithm.SHA256.newDigest().digest(bytes));
  }
}
