package dev.cairn.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.NarWriter;
import dev.cairn.nix.RealNix;
import dev.cairn.server.TestServer;
import dev.cairn.users.Role;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a NAR upload refuses, seen by real clients: curl's {@code Expect: 100-continue} is
 * answered only once the token is good (a bad one gets its 401 with the body never sent).
 */
class CacheUploadRefusalsTest {
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
      String[] upload = {"curl", "-sS", "-v", "--http1.1", "-X", "PUT", "-H", "Expect: 100-continue", "--expect100-timeout", "60",
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
      assertTrue(Double.parseDouble(a[2]) < 30, "curl was asked for the body, it did not time out waiting: " + a[2]);
    }
  }

  private static String[] with(String[] command, String... extra) {
    String[] all = java.util.Arrays.copyOf(command, command.length + extra.length);
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
