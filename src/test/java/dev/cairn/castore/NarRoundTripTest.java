package dev.cairn.castore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.NarFormatException;
import dev.cairn.nix.RealNix;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** NARs dumped by real Nix → castore → NAR again: identical bytes, on both SQL dialects. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NarRoundTripTest {
  private final Map<Dialect, CastoreFixture> fixtures = new EnumMap<>(Dialect.class);

  @TempDir
  Path tmp;

  @BeforeAll
  void open() throws Exception {
    for (Dialect d : Dialect.values()) {
      fixtures.put(d, CastoreFixture.create(d));
    }
  }

  @AfterAll
  void close() throws Exception {
    for (CastoreFixture f : fixtures.values()) {
      f.close();
    }
  }

  private Path tree(String name) throws Exception {
    Path t = tmp.resolve(name);
    Files.createDirectories(t.resolve("lib/deeper/deepest"));
    Files.createDirectories(t.resolve("empty"));
    Files.writeString(t.resolve("README"), "hello\n");
    Files.write(t.resolve("empty-file"), new byte[0]);
    Path exe = t.resolve("lib/tool");
    Files.writeString(exe, "#!/bin/sh\n");
    Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
    byte[] big = new byte[3 << 20];
    new Random(5).nextBytes(big);
    Files.write(t.resolve("lib/deeper/deepest/big.bin"), big);
    Files.write(t.resolve("lib/deeper/copy.bin"), big);
    Files.createSymbolicLink(t.resolve("rel"), Path.of("lib/tool"));
    Files.createSymbolicLink(t.resolve("abs"), Path.of("/nix/store/00bgd045z0d4icpbc2yyz4gx48ak44la-x"));
    Files.createSymbolicLink(t.resolve("dangling"), Path.of("nowhere"));
    Files.writeString(t.resolve("ünïcode name ✓"), "u");
    return t;
  }

  @Test
  void ingestThenRenderGivesNixsBytesAndTheSameRootOnBothDialects() throws Exception {
    RealNix nix = new RealNix(tmp.resolve("nix"));
    byte[] nar = nix.dump(tree("t"));
    Map<Dialect, Node> roots = new EnumMap<>(Dialect.class);
    for (Dialect d : Dialect.values()) {
      CastoreFixture f = fixtures.get(d);
      NarIngester.Result r = f.ingester.ingest(new ByteArrayInputStream(nar));
      assertEquals(nar.length, r.narSize());
      assertEquals(new Hash(HashAlgorithm.SHA256, HashAlgorithm.SHA256.newDigest().digest(nar)), r.narSha256());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      f.renderer.render(r.root(), out);
      assertArrayEquals(nar, out.toByteArray(), d.name());
      dev.cairn.store.NarSummary s = TestDatabase.await(f.store.narCalculation().calculate(r.root()));
      assertEquals(nar.length, s.narSize());
      assertEquals(r.narSha256(), s.narSha256());
      assertEquals(s, TestDatabase.await(f.store.narCalculation().calculate(r.root())), "cached");
      roots.put(d, r.root());
    }
    assertEquals(roots.get(Dialect.SQLITE), roots.get(Dialect.POSTGRESQL));
  }

  @Test
  void singleFileAndSymlinkNarsRoundTrip() throws Exception {
    RealNix nix = new RealNix(tmp.resolve("nix2"));
    Path file = Files.writeString(tmp.resolve("single"), "only a file");
    Path link = Files.createSymbolicLink(tmp.resolve("single-link"), Path.of("single"));
    CastoreFixture f = fixtures.get(Dialect.SQLITE);
    for (Path p : new Path[] {file, link}) {
      byte[] nar = nix.dump(p);
      NarIngester.Result r = f.ingester.ingest(new ByteArrayInputStream(nar));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      f.renderer.render(r.root(), out);
      assertArrayEquals(nar, out.toByteArray());
    }
  }

  @Test
  void ingestingALocalTreeEqualsIngestingItsNar() throws Exception {
    CastoreFixture f = fixtures.get(Dialect.POSTGRESQL);
    Path t = tree("local");
    byte[] nar = new RealNix(tmp.resolve("nix3")).dump(t);
    assertEquals(f.ingester.ingest(new ByteArrayInputStream(nar)), f.ingester.ingest(t));
  }

  @Test
  void aMalformedNarIsRefusedAndStoresNoDirectories() throws Exception {
    CastoreFixture f = fixtures.get(Dialect.SQLITE);
    Path t = tree("bad");
    Files.writeString(t.resolve("lib/unique"), "only in this test " + System.nanoTime());
    byte[] nar = new RealNix(tmp.resolve("nix4")).dump(t);
    byte[] truncated = java.util.Arrays.copyOf(nar, nar.length - 16);
    long before = count(f);
    assertThrows(NarFormatException.class, () -> f.ingester.ingest(new ByteArrayInputStream(truncated)));
    assertEquals(before, count(f), "a refused NAR leaves no directories");
    NarIngester.Result good = f.ingester.ingest(new ByteArrayInputStream(nar));
    assertTrue(count(f) > before, "the intact NAR stores its directories");
    assertTrue(TestDatabase.await(f.directories.get(((DirectoryNode) good.root()).digest())).isPresent());
  }

  private static long count(CastoreFixture f) throws Exception {
    return TestDatabase.await(f.database.db().query("SELECT COUNT(*) AS c FROM directories")).get(0).getLong("c");
  }
}
