package dev.cairn.nix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our NAR bytes, hashes, keys and signatures checked against Debian's real Nix 2.8. */
class AgainstRealNixTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  RealNix nix;

  @BeforeEach
  void setUp() {
    nix = new RealNix(tmp.resolve("nix"));
  }

  /** A tree with every kind of node Nix distinguishes. */
  private Path richTree() throws Exception {
    Path t = tmp.resolve("tree");
    Files.createDirectories(t.resolve("nested/deeper/deepest"));
    Files.createDirectories(t.resolve("empty-dir"));
    Files.writeString(t.resolve("regular"), "hello\n");
    Files.write(t.resolve("empty-file"), new byte[0]);
    Path exe = t.resolve("nested/run.sh");
    Files.writeString(exe, "#!/bin/sh\necho hi\n");
    Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
    byte[] big = new byte[300_001];
    new Random(3).nextBytes(big);
    Files.write(t.resolve("nested/deeper/deepest/big.bin"), big);
    Files.createSymbolicLink(t.resolve("relative-link"), Path.of("nested/run.sh"));
    Files.createSymbolicLink(t.resolve("absolute-link"), Path.of("/etc/hostname"));
    Files.createSymbolicLink(t.resolve("dangling-link"), Path.of("does/not/exist"));
    Files.writeString(t.resolve("unicode-ünï çødé ✓"), "u");
    Files.writeString(t.resolve("odd name with spaces & ?=+"), "o");
    Files.writeString(t.resolve("new\nline"), "n");
    Files.writeString(t.resolve("Upper"), "sorted before lower case");
    Files.writeString(t.resolve(".hidden"), "h");
    return t;
  }

  @Test
  void ourDumpEqualsNixStoreDump() throws Exception {
    Path tree = richTree();
    ByteArrayOutputStream ours = new ByteArrayOutputStream();
    NarWriter.dump(tree, ours);
    assertArrayEquals(nix.dump(tree), ours.toByteArray());
  }

  @Test
  void singleFilesAndSymlinksDumpLikeNix() throws Exception {
    Path f = tmp.resolve("single");
    Files.writeString(f, "just a file");
    Path exe = tmp.resolve("single-exe");
    Files.writeString(exe, "x");
    Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("r-x------"));
    Path link = tmp.resolve("single-link");
    Files.createSymbolicLink(link, Path.of("single"));
    Path empty = Files.createDirectory(tmp.resolve("single-empty-dir"));
    for (Path p : List.of(f, exe, link, empty)) {
      ByteArrayOutputStream ours = new ByteArrayOutputStream();
      NarWriter.dump(p, ours);
      assertArrayEquals(nix.dump(p), ours.toByteArray(), p.toString());
    }
  }

  @Test
  void parsingNixsDumpAndWritingItAgainGivesTheSameBytes() throws Exception {
    byte[] nar = nix.dump(richTree());
    ByteArrayOutputStream copy = new ByteArrayOutputStream();
    NarParser.parse(new ByteArrayInputStream(nar), new NarWriter(copy));
    assertArrayEquals(nar, copy.toByteArray());
  }

  @Test
  void restoringGivesATreeNixDumpsIdentically() throws Exception {
    byte[] nar = nix.dump(richTree());
    Path restored = tmp.resolve("restored");
    NarParser.parse(new ByteArrayInputStream(nar), new NarRestorer(restored));
    assertArrayEquals(nar, nix.dump(restored));
  }

  @Test
  void narHashAndSizeEqualNixPathInfoAndNixHash() throws Exception {
    Path tree = richTree();
    ByteArrayOutputStream ours = new ByteArrayOutputStream();
    NarWriter.dump(tree, ours);
    NarParser.Summary s = NarParser.validate(new ByteArrayInputStream(ours.toByteArray()));
    assertEquals(nix.ok("nix-hash", "--type", "sha256", "--base32", tree.toString()).out(), s.narHash().toNix32());
    String path = nix.add(tree);
    JsonNode info = JSON.readTree(nix.pathInfoJson(path)).get(0);
    assertEquals(Hash.parse(info.get("narHash").asText()), s.narHash());
    assertEquals(info.get("narSize").asLong(), s.narSize());
  }

  @Test
  void nixGeneratedKeysLoadAndSignAsNixDoes() throws Exception {
    Path sk = tmp.resolve("sk");
    Path pk = tmp.resolve("pk");
    nix.ok("nix-store", "--generate-binary-cache-key", "nix-made-1", sk.toString(), pk.toString());
    SecretKey secret = SecretKey.parse(Files.readString(sk));
    PublicKey pub = PublicKey.parse(Files.readString(pk));
    assertEquals(pub, secret.toPublicKey());
    assertEquals(Files.readString(sk).strip(), secret.toString());

    Path tree = Files.createDirectories(tmp.resolve("signed"));
    Files.writeString(tree.resolve("f"), "signed by nix");
    String path = nix.add(tree);
    nix.ok("nix", "store", "sign", "--store", nix.store(), "--key-file", sk.toString(), path);
    JsonNode info = JSON.readTree(nix.pathInfoJson(path, "--sigs")).get(0);
    Signature nixSig = Signature.parse(info.get("signatures").get(0).asText());
    String fingerprint = NarInfo.fingerprint(StorePath.parse(path), Hash.parse(info.get("narHash").asText()),
        info.get("narSize").asLong(), List.of());
    assertTrue(pub.verify(fingerprint, nixSig), "Nix's signature verifies in Cairn");
    assertEquals(nixSig, secret.sign(fingerprint), "Ed25519 is deterministic: Cairn makes the same signature");
    assertFalse(pub.verify(fingerprint + "x", nixSig));
  }

  @Test
  void cairnKeysAndSignaturesVerifyInNix() throws Exception {
    SecretKey secret = SecretKey.generate("cairn-made-1");
    // Input-addressed (built) paths: Nix does not trust those without a signature.
    String path = nix.buildInputAddressed();
    JsonNode info = JSON.readTree(nix.pathInfoJson(path)).get(0);
    List<StorePath> refs = new java.util.ArrayList<>();
    info.get("references").forEach(r -> refs.add(StorePath.parse(r.asText())));
    assertEquals(1, refs.size(), "top references dep");
    String fingerprint = NarInfo.fingerprint(StorePath.parse(path), Hash.parse(info.get("narHash").asText()),
        info.get("narSize").asLong(), refs);

    RealNix.Result unsigned = nix.run("nix", "store", "verify", "--store", nix.store(), "--sigs-needed", "1",
        "--trusted-public-keys", secret.toPublicKey().toString(), path);
    assertNotEquals(0, unsigned.exit(), "without a signature, verification must fail");

    // Attach Cairn's signature to the path in the chroot store's database, as a cache import would.
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + nix.store() + "/nix/var/nix/db/db.sqlite");
         PreparedStatement ps = c.prepareStatement("UPDATE ValidPaths SET sigs = ? WHERE path = ?")) {
      ps.setString(1, secret.sign(fingerprint).toString());
      ps.setString(2, path);
      assertEquals(1, ps.executeUpdate());
    }
    RealNix.Result verified = nix.run("nix", "store", "verify", "--store", nix.store(), "--sigs-needed", "1",
        "--trusted-public-keys", secret.toPublicKey().toString(), path);
    assertEquals(0, verified.exit(), verified.stderr());

    // A key Cairn generated loads in Nix: Nix signs with it and we verify that signature.
    Path sk = tmp.resolve("sk");
    Files.writeString(sk, secret.toString());
    nix.ok("nix", "store", "sign", "--store", nix.store(), "--key-file", sk.toString(), path);
    JsonNode signed = JSON.readTree(nix.pathInfoJson(path, "--sigs")).get(0);
    assertTrue(signed.get("signatures").toString().contains(secret.sign(fingerprint).toString()));
  }

  @Test
  void rejectsSecretKeyWhosePublicHalfDoesNotMatch() {
    SecretKey a = SecretKey.generate("k");
    SecretKey b = SecretKey.generate("k");
    SecretKey forged = new SecretKey("k", a.seed(), b.publicKey());
    assertTrue(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> SecretKey.parse(forged.toString()))
        .getMessage().contains("does not match"));
  }

  @Test
  void signatureUnderAnotherKeyNameNeverVerifies() {
    SecretKey k = SecretKey.generate("one");
    Signature s = k.sign("fp");
    PublicKey renamed = new PublicKey("two", k.publicKey());
    assertFalse(renamed.verify("fp", s));
    assertTrue(k.toPublicKey().verify("fp".getBytes(StandardCharsets.UTF_8), s));
  }
}
