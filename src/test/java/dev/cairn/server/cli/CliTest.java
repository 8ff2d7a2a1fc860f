package dev.cairn.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {
  @TempDir
  Path dir;

  record Run(int code, String out, String err) {}

  /** Runs the CLI in-process, capturing what it prints to standard output and error. */
  static Run run(String... args) {
    java.io.PrintStream savedOut = System.out;
    java.io.PrintStream savedErr = System.err;
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(out, true));
    System.setErr(new java.io.PrintStream(err, true));
    try {
      CommandLine cl = CairnCommand.commandLine();
      int code = cl.execute(args);
      cl.getOut().flush();
      cl.getErr().flush();
      return new Run(code, out.toString(), err.toString());
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
  }

  private Path config() throws Exception {
    Path file = dir.resolve("cairn.yaml");
    Files.writeString(file, "data_dir: " + dir.resolve("data") + "\n");
    return file;
  }

  @Test
  void userCommandsShareTheServersDatabase() throws Exception {
    String cfg = config().toString();
    Run created = run("user", "create", "alice", "--config", cfg);
    assertEquals(0, created.code(), created.err());
    assertEquals(64, created.out().strip().length(), "prints the generated token once");
    assertEquals(0, run("user", "create", "bob", "--token", "kept-from-lila", "--config", cfg).code());
    Run list = run("user", "list", "--config", cfg);
    assertTrue(list.out().contains("alice\t") && list.out().contains("bob\t"), list.out());
    assertEquals(0, run("user", "revoke", "bob", "--config", cfg).code());
    assertTrue(run("user", "list", "--config", cfg).out().lines().anyMatch(l -> l.startsWith("bob\t") && l.endsWith("revoked")));
    assertTrue(Files.exists(dir.resolve("data/cairn.db")));
  }

  @Test
  void anOperatorChoosesAndChangesRoles() throws Exception {
    String cfg = config().toString();
    assertEquals(0, run("user", "create", "ops", "--role", "admin", "--config", cfg).code());
    assertEquals(0, run("user", "create", "builder", "--config", cfg).code());
    Run list = run("user", "list", "--config", cfg);
    assertTrue(list.out().lines().anyMatch(l -> l.startsWith("ops\tadmin\t")), list.out());
    assertTrue(list.out().lines().anyMatch(l -> l.startsWith("builder\twriter\t")), "default role is writer: " + list.out());
    Run set = run("user", "set-role", "builder", "reader", "--config", cfg);
    assertEquals(0, set.code(), set.err());
    assertEquals("builder is now reader", set.out().strip());
    assertTrue(run("user", "list", "--config", cfg).out().lines().anyMatch(l -> l.startsWith("builder\treader\t")));
    Run bad = run("user", "create", "x", "--role", "root", "--config", cfg);
    assertEquals(2, bad.code());
    assertEquals("cairn: role must be one of admin, writer, reader (got \"root\")", bad.err().strip());
    assertEquals(2, run("user", "set-role", "nobody", "admin", "--config", cfg).code());
  }

  @Test
  void theOperatorsAddKeyKeepsOneOwnerPerKey() throws Exception {
    String cfg = config().toString();
    run("user", "create", "keyholder", "--config", cfg);
    run("user", "create", "other", "--config", cfg);
    Path pk = dir.resolve("pk");
    Files.writeString(pk, dev.cairn.nix.SecretKey.generate("op-key-1").toPublicKey().toString());
    Run added = run("user", "add-key", "keyholder", pk.toString(), "--config", cfg);
    assertEquals(0, added.code(), added.err());
    assertEquals(0, run("user", "add-key", "keyholder", pk.toString(), "--config", cfg).code(), "again: nothing changes");
    Run taken = run("user", "add-key", "other", pk.toString(), "--config", cfg);
    assertEquals(2, taken.code());
    assertEquals("cairn: public_key: this key is registered to another user", taken.err().strip());
  }

  @Test
  void duplicateUserFailsWithOneLine() throws Exception {
    String cfg = config().toString();
    run("user", "create", "carol", "--config", cfg);
    Run again = run("user", "create", "carol", "--config", cfg);
    assertEquals(2, again.code());
    assertEquals("cairn: user carol already exists", again.err().strip());
  }

  @Test
  void badConfigurationFailsWithOneLineNamingTheSetting() throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "http:\n  port: seventy\n");
    Run r = run("serve", "--config", file.toString());
    assertEquals(2, r.code());
    assertEquals("cairn: configuration: http.port: must be an integer in 0..65535 (got \"seventy\")", r.err().strip());
  }

  @Test
  void unreachableDatabaseFailsWithOneLine() throws Exception {
    Path file = dir.resolve("pg.yaml");
    Files.writeString(file, "database:\n  url: postgresql://postgres@127.0.0.1:1/nothing\n");
    Run r = run("user", "list", "--config", file.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("cairn: database.url: cannot reach postgresql://postgres@127.0.0.1:1/nothing"), r.err());
    assertEquals(1, r.err().strip().lines().count());
  }

  @Test
  void generatedKeysAreNixKeyFilesThatNixUses() throws Exception {
    Path sk = dir.resolve("sk");
    Path pk = dir.resolve("pk");
    Run r = run("key", "generate", "cairn-test-1", "--secret-file", sk.toString(), "--public-file", pk.toString());
    assertEquals(0, r.code(), r.err());
    dev.cairn.nix.SecretKey secret = dev.cairn.nix.SecretKey.parse(Files.readString(sk));
    assertEquals(Files.readString(pk), secret.toPublicKey().toString());
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(sk)));
    // Nix signs with the key Cairn generated, and the signature verifies under Cairn's public key file.
    dev.cairn.nix.RealNix nix = new dev.cairn.nix.RealNix(dir.resolve("nix"));
    Path tree = Files.createDirectories(dir.resolve("t"));
    Files.writeString(tree.resolve("f"), "x");
    String path = nix.add(tree);
    nix.ok("nix", "store", "sign", "--store", nix.store(), "--key-file", sk.toString(), path);
    com.fasterxml.jackson.databind.JsonNode info = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(nix.pathInfoJson(path, "--sigs")).get(0);
    dev.cairn.nix.Signature sig = dev.cairn.nix.Signature.parse(info.get("signatures").get(0).asText());
    String fingerprint = dev.cairn.nix.NarInfo.fingerprint(dev.cairn.nix.StorePath.parse(path),
        dev.cairn.nix.Hash.parse(info.get("narHash").asText()), info.get("narSize").asLong(), java.util.List.of());
    assertTrue(dev.cairn.nix.PublicKey.parse(Files.readString(pk)).verify(fingerprint, sig));
  }

  @Test
  void everyCommandHasHelp() {
    for (String[] cmd : new String[][] {{"serve", "--help"}, {"--help"}, {"user", "--help"}, {"user", "create", "--help"},
        {"user", "list", "--help"}, {"user", "revoke", "--help"}, {"user", "set-role", "--help"}, {"key", "--help"}, {"key", "generate", "--help"}, {"version", "--help"}}) {
      Run r = run(cmd);
      assertEquals(0, r.code(), String.join(" ", cmd));
      assertTrue(r.out().contains("Usage: cairn"), String.join(" ", cmd) + " printed: " + r.code() + r.out() + r.err());
    }
  }
}
