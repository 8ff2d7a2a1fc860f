package dev.cairn.frankenbuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.nix.Hash;
import dev.cairn.nix.RealNix;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * One input-addressed derivation built by real Nix 2.8 in two chroot stores, {@code one} and
 * {@code two}: {@code dep}'s builder writes random bytes, so the same store path {@code dep} has
 * two contents ({@code depFirst}, {@code depSecond}), and {@code top}, which refers to dep, is
 * built against each ({@code topInfo}: {@code nix path-info --json} of the first).
 */
record TwoBuilds(RealNix one, RealNix two, String top, String dep, JsonObject topInfo, Hash depFirst, Hash depSecond) {
  static TwoBuilds in(Path dir) throws Exception {
    RealNix one = new RealNix(dir.resolve("one"));
    RealNix two = new RealNix(dir.resolve("two"));
    String top = build(one);
    assertEquals(top, build(two), "the same derivation, so the same store path");
    JsonObject topInfo = new JsonArray(one.pathInfoJson(top)).getJsonObject(0);
    String dep = topInfo.getJsonArray("references").getString(0);
    assertTrue(dep.endsWith("-dep"), dep);
    Hash depFirst = narHash(one, dep);
    Hash depSecond = narHash(two, dep);
    assertNotEquals(depFirst, depSecond, "dep's builder wrote random bytes: two contents for one path");
    return new TwoBuilds(one, two, top, dep, topInfo, depFirst, depSecond);
  }

  /** Builds top and dep (whose builder writes random bytes: not reproducible) in a chroot store; answers top's path. */
  private static String build(RealNix nix) throws Exception {
    // One derivation, a new content each build: the builder reads /dev/urandom.
    return nix.build("""
        let bb = "${./bbdir}/busybox";
            dep = derivation { name = "dep"; system = "x86_64-linux"; builder = bb;
                               args = [ "sh" "-c" "${bb} head -c 16 /dev/urandom | ${bb} od -x > $out" ]; };
        in derivation { name = "top"; system = "x86_64-linux"; builder = bb;
                        args = [ "sh" "-c" "echo ${dep} > $out; ${bb} cat ${dep} >> $out" ]; }
        """, "-top");
  }

  private static Hash narHash(RealNix nix, String path) throws Exception {
    return Hash.parse(new JsonArray(nix.pathInfoJson(path)).getJsonObject(0).getString("narHash"));
  }
}
