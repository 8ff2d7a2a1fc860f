package dev.cairn.cache;

import dev.cairn.server.http.ByteRange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.store.StorePathDigest;
import dev.cairn.validation.ValidationException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The outside input the read side parses: Range headers and NAR file names. */
class CacheParsersTest {
  @Test
  void rangesNixAndCurlSend() throws Exception {
    assertEquals(Optional.of(new ByteRange(0, 100, 100)), ByteRange.parse("bytes=0-", 100));
    assertEquals(Optional.of(new ByteRange(10, 11, 100)), ByteRange.parse("bytes=10-20", 100));
    assertEquals(Optional.of(new ByteRange(10, 90, 100)), ByteRange.parse("bytes=10-1000", 100));
    assertEquals(Optional.of(new ByteRange(90, 10, 100)), ByteRange.parse("bytes=-10", 100));
    assertEquals(Optional.of(new ByteRange(0, 100, 100)), ByteRange.parse("bytes=-1000", 100));
    assertEquals("bytes 10-20/100", ByteRange.parse("bytes=10-20", 100).orElseThrow().contentRange());
  }

  @Test
  void rangesServedWhole() throws Exception {
    assertEquals(Optional.empty(), ByteRange.parse(null, 100));
    assertEquals(Optional.empty(), ByteRange.parse("items=0-1", 100));
    assertEquals(Optional.empty(), ByteRange.parse("bytes=0-1,5-6", 100));
  }

  @Test
  void unsatisfiableOrMalformedRanges() {
    for (String bad : new String[] {"bytes=100-", "bytes=200-300", "bytes=20-10", "bytes=-0", "bytes=", "bytes=x-1", "bytes=1-y",
        "bytes=--1", "bytes=1", "bytes=99999999999999999999-", "bytes=+1-2"}) {
      ByteRange.Unsatisfiable e = assertThrows(ByteRange.Unsatisfiable.class, () -> ByteRange.parse(bad, 100), bad);
      assertTrue(e.getMessage().startsWith("Range: "), e.getMessage());
    }
  }

  @Test
  void narUrlsRoundTripAndRejectEverythingElse() {
    Hash nar = new Hash(HashAlgorithm.SHA256, new byte[32]);
    NarUrl url = new NarUrl(new StorePathDigest(new byte[20]), nar);
    String file = url.toString().substring("nar/".length());
    assertEquals(url, NarUrl.parse(file));
    String good32 = "0".repeat(32);
    String good52 = "0".repeat(52);
    for (String bad : new String[] {"", ".nar", good32 + ".nar", good32 + "-" + good52 + ".nar.xz", good32 + "_" + good52 + ".nar",
        "e".repeat(32) + "-" + good52 + ".nar", good32 + "-" + "u".repeat(52) + ".nar", good32 + "-" + good52 + ".na",
        "../" + good32.substring(3) + "-" + good52 + ".nar", good32 + "-" + "z".repeat(52) + ".nar"}) {
      assertThrows(ValidationException.class, () -> NarUrl.parse(bad), bad);
    }
  }
}
