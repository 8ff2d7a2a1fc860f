package dev.cairn.store.upstream;

import dev.cairn.nix.RealNix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A closure built by real Nix 2.8 in a chroot store and signed there, to be published as upstream
 * binary caches with {@code nix copy --to file://…}: {@code dep} (random contents, so two builds
 * of it differ), {@code lib} referencing dep, and {@code top} (outputs out and dev) whose out
 * references lib, dep and itself (a diamond and a self-reference).
 */
final class UpstreamCache {
  final RealNix nix;
  final String top;
  final String lib;
  final String dep;
  final String secretKey;
  final String publicKey;

  private UpstreamCache(RealNix nix, String top, String lib, String dep, String secretKey, String publicKey) {
    this.nix = nix;
    this.top = top;
    this.lib = lib;
    this.dep = dep;
    this.secretKey = secretKey;
    this.publicKey = publicKey;
  }

  /** Builds the closure in {@code dir} and signs it with a new key named {@code keyName}. */
  static UpstreamCache build(Path dir, String keyName) throws Exception {
    RealNix nix = new RealNix(dir);
    Path src = Files.createDirectories(dir.resolve("src/bbdir"));
    Files.copy(Path.of("/bin/busybox"), src.resolve("busybox"));
    Path file = Files.writeString(dir.resolve("src/closure.nix"), """
        let bb = "${./bbdir}/busybox";
            dep = derivation { name = "dep"; system = "x86_64-linux"; builder = bb;
                               args = [ "sh" "-c" "cat /proc/sys/kernel/random/uuid > $out" ]; };
            lib = derivation { name = "lib"; system = "x86_64-linux"; builder = bb;
                               args = [ "sh" "-c" "echo ${dep} > $out" ]; };
        in { inherit dep lib;
             top = derivation { name = "top"; system = "x86_64-linux"; builder = bb; outputs = [ "out" "dev" ];
                                args = [ "sh" "-c" "echo ${lib} ${dep} $out > $out; echo dev > $dev" ]; }; }
        """);
    List<String> built = nix.ok("nix-build", "--store", nix.store(), "--option", "sandbox", "false", "--no-out-link", file.toString())
        .out().lines().toList();
    Path sec = dir.resolve("key.sec");
    Path pub = dir.resolve("key.pub");
    nix.ok("nix-store", "--generate-binary-cache-key", keyName, sec.toString(), pub.toString());
    String top = built.stream().filter(l -> l.endsWith("-top")).findFirst().orElseThrow();
    nix.ok("nix", "store", "sign", "--store", nix.store(), "--key-file", sec.toString(), "-r", top);
    return new UpstreamCache(nix, top, find(built, "-lib"), find(built, "-dep"), Files.readString(sec).strip(), Files.readString(pub).strip());
  }

  private static String find(List<String> built, String suffix) {
    return built.stream().filter(l -> l.endsWith(suffix)).findFirst().orElseThrow();
  }

  /** Writes {@code paths} (with their closures) as a file:// binary cache under {@code dir}. */
  void publish(Path dir, String compression, String... paths) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("nix", "copy", "--from", nix.store(), "--to", "file://" + dir + "?compression=" + compression));
    cmd.addAll(List.of(paths));
    nix.ok(cmd.toArray(String[]::new));
  }

  static String hashPart(String storePath) {
    return storePath.substring("/nix/store/".length(), "/nix/store/".length() + 32);
  }
}
