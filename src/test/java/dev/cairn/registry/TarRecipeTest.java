package dev.cairn.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tar writer read back by GNU tar (long names through pax headers), and the digest check of a layer rendering. */
class TarRecipeTest {
  @TempDir
  Path tmp;

  @Test
  void gnuTarReadsLongNamesLinksAndModes() throws Exception {
    String longDir = "nix/store/" + "a".repeat(32) + "-" + "long-name-".repeat(12);
    String longFile = longDir + "/" + "f".repeat(120);
    String longTarget = "/nix/store/" + "t".repeat(140);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TarWriter tar = new TarWriter(out);
    tar.directory(TarWriter.bytes(longDir), 0555);
    tar.file(TarWriter.bytes(longFile), 0555, "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8));
    tar.symlink(TarWriter.bytes(longDir + "/link"), TarWriter.bytes(longTarget));
    tar.finish();
    assertEquals(0, out.size() % 512);
    Path file = tmp.resolve("layer.tar");
    Files.write(file, out.toByteArray());
    String listing = RegistryFixture.run("tar", "-tvf", file.toString(), "--numeric-owner");
    assertTrue(listing.contains("dr-xr-xr-x 0/0"), listing);
    assertTrue(listing.contains("-r-xr-xr-x 0/0              10 1970-01-01 00:00 " + longFile), listing);
    assertTrue(listing.contains(longDir + "/link -> " + longTarget), listing);
    Path into = Files.createDirectories(tmp.resolve("x"));
    RegistryFixture.run("tar", "-xf", file.toString(), "-C", into.toString());
    assertEquals("#!/bin/sh\n", Files.readString(into.resolve(longFile)));
    assertEquals(longTarget, Files.readSymbolicLink(into.resolve(longDir + "/link")).toString());
  }

  @Test
  void aRenderingThatDiffersFromItsDigestNeverCompletes() throws Exception {
    byte[] layer = "a rendering of some layer".getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream good = new ByteArrayOutputStream();
    VerifiedRange ok = new VerifiedRange(good, 2, 10, OciDigest.sha256Of(layer), layer.length);
    ok.write(layer, 0, 7);
    ok.write(layer, 7, layer.length - 7);
    ok.finish();
    assertArrayEquals(java.util.Arrays.copyOfRange(layer, 2, 12), good.toByteArray());

    byte[] drifted = layer.clone();
    drifted[20] ^= 1;
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    VerifiedRange bad = new VerifiedRange(sent, 0, layer.length, OciDigest.sha256Of(layer), layer.length);
    bad.write(drifted, 0, drifted.length);
    assertThrows(VerifiedRange.Mismatch.class, bad::finish);
    assertEquals(layer.length - 1, sent.size(), "the last byte is held back, so the response cannot complete");
    VerifiedRange longer = new VerifiedRange(new ByteArrayOutputStream(), 0, 3, OciDigest.sha256Of(layer), 3);
    assertThrows(VerifiedRange.Mismatch.class, () -> longer.write(layer, 0, 4));
  }
}
