package dev.cairn.nix;

import dev.cairn.compression.Compression;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's real Nix (2.8) without a daemon against a throwaway chroot store under
 * {@code dir}, with its own HOME and XDG cache so runs never see each other's narinfo cache.
 * A missing {@code nix} is a failure, never a skip.
 */
public final class RealNix {
  private final Path dir;

  public RealNix(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  /** The chroot store root, for {@code --store}. */
  public String store() {
    return dir.resolve("store").toString();
  }

  /** Where a store path's files really are. */
  public Path realPath(String storePath) {
    return Path.of(store() + storePath);
  }

  public record Result(int exit, byte[] stdout, String stderr) {
    public String out() {
      return new String(stdout, StandardCharsets.UTF_8).strip();
    }
  }

  public Result run(String... command) throws IOException, InterruptedException {
    return run(Map.of(), command);
  }

  public Result run(Map<String, String> env, String... command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> e = pb.environment();
    e.put("HOME", dir.resolve("home").toString());
    e.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
    e.put("NIX_CONFIG", "experimental-features = nix-command");
    e.putAll(env);
    Files.createDirectories(dir.resolve("home"));
    Process p;
    try {
      p = pb.start();
    } catch (IOException ex) {
      throw new IOException("cannot run " + command[0] + " (is nix-bin installed? ./scripts/test.sh installs it): " + ex.getMessage(), ex);
    }
    p.getOutputStream().close();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread errPump = new Thread(() -> pump(p.getErrorStream(), err));
    errPump.start();
    pump(p.getInputStream(), out);
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + String.join(" ", command));
    }
    errPump.join();
    return new Result(p.exitValue(), out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }

  /** Runs and requires exit 0. */
  public Result ok(String... command) throws IOException, InterruptedException {
    Result r = run(command);
    if (r.exit() != 0) {
      throw new AssertionError(String.join(" ", command) + " exited " + r.exit() + ": " + r.stderr());
    }
    return r;
  }

  private static void pump(InputStream in, ByteArrayOutputStream out) {
    try (in) {
      in.transferTo(out);
    } catch (IOException ignored) {
      // the process ended
    }
  }

  /** {@code nix-store --dump} of a plain directory. */
  public byte[] dump(Path tree) throws IOException, InterruptedException {
    return ok("nix-store", "--dump", tree.toString()).stdout();
  }

  /** Adds a tree to the chroot store (a content-addressed path) and returns its store path. */
  public String add(Path tree) throws IOException, InterruptedException {
    return ok("nix-store", "--store", store(), "--add", tree.toString()).out();
  }

  public String pathInfoJson(String storePath, String... extra) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("nix", "path-info", "--store", store(), "--json"));
    cmd.addAll(Arrays.asList(extra));
    cmd.add(storePath);
    return ok(cmd.toArray(String[]::new)).out();
  }

  /**
   * Builds two input-addressed paths with a static busybox as the builder (no nixpkgs):
   * {@code dep}, and {@code top} (outputs out and dev) whose out references dep. Returns
   * the out path of top. Such paths need signatures, unlike content-addressed ones.
   */
  public String buildInputAddressed(String... extraOptions) throws IOException, InterruptedException {
    return build("""
        let bb = "${./bbdir}/busybox";
            dep = derivation { name = "dep"; system = "x86_64-linux"; builder = bb;
                               args = [ "sh" "-c" "echo dep > $out" ]; };
        in derivation { name = "top"; system = "x86_64-linux"; builder = bb;
                        outputs = [ "out" "dev" ];
                        args = [ "sh" "-c" "echo ${dep} > $out; echo dev > $dev" ]; }
        """, "-top", extraOptions);
  }

  /**
   * Builds a Nix expression in this chroot store, with {@code ./bbdir/busybox} (a static busybox)
   * beside it as the builder, no sandbox and no substituters; answers the first output path
   * printed that ends with {@code outSuffix}.
   */
  public String build(String expression, String outSuffix, String... extraOptions) throws IOException, InterruptedException {
    Path file = withBusybox("src").resolve("build-" + Integer.toHexString(expression.hashCode()) + ".nix");
    Files.writeString(file, expression);
    List<String> cmd = new ArrayList<>(List.of("nix-build", "--store", store(), "--option", "sandbox", "false",
        "--option", "substituters", "", "--no-out-link"));
    cmd.addAll(Arrays.asList(extraOptions));
    cmd.add(file.toString());
    return ok(cmd.toArray(String[]::new)).out().lines().filter(l -> l.endsWith(outSuffix)).findFirst().orElseThrow();
  }

  /**
   * A directory {@code name} under this one with {@code bbdir/busybox}, a copy of the static
   * busybox (it picks its applet from argv[0]'s basename, so the file keeps that name).
   */
  private Path withBusybox(String name) throws IOException {
    Path busybox = Files.createDirectories(dir.resolve(name).resolve("bbdir")).resolve("busybox");
    if (!Files.exists(busybox)) {
      Files.copy(Path.of("/bin/busybox"), busybox);
    }
    return dir.resolve(name);
  }

  /**
   * Builds a closure of six input-addressed paths with a static busybox as the builder:
   * {@code base} (a 170 KB file), {@code left} and {@code right} both referencing it (a diamond
   * under {@code selfref}), {@code selfref} (a directory referencing itself, left and right), and
   * one derivation {@code multi} with outputs out and dev, out referencing dev and selfref.
   * Returns multi's out path, whose closure is all six.
   */
  public String buildClosure() throws IOException, InterruptedException {
    return build("""
        let bb = "${./bbdir}/busybox";
            mk = name: script: derivation { inherit name; system = "x86_64-linux"; builder = bb;
                                            args = [ "sh" "-c" script ]; };
            base = mk "base" "${bb} seq 1 30000 > $out";
            left = mk "left" "echo ${base} left > $out";
            right = mk "right" "echo ${base} right > $out";
            selfref = mk "selfref" "${bb} mkdir $out; echo $out > $out/me; echo ${left} ${right} > $out/deps";
        in derivation { name = "multi"; system = "x86_64-linux"; builder = bb; outputs = [ "out" "dev" ];
                        args = [ "sh" "-c" "${bb} mkdir $out $dev; echo dev > $dev/d; echo ${selfref} $dev > $out/uses" ]; }
        """, "-multi");
  }

  /**
   * The NAR file of {@code storePath} as {@code nix copy --to 'http://…?compression=c'} uploads
   * it, for each compression: Nix writes the same file to a {@code file://} cache.
   */
  public Map<Compression, byte[]> narFiles(String storePath, Compression... compressions) throws IOException, InterruptedException {
    Map<Compression, byte[]> files = new EnumMap<>(Compression.class);
    for (Compression c : compressions) {
      Path cache = dir.resolve("file-cache-" + c.nixName());
      ok("nix", "copy", "--from", store(), "--to", "file://" + cache + "?compression=" + c.nixName(), storePath);
      String hashPart = StorePath.parse(storePath).hashPart();
      String url = Files.readAllLines(cache.resolve(hashPart + ".narinfo")).stream().filter(l -> l.startsWith("URL: ")).findFirst()
          .orElseThrow().substring("URL: ".length());
      files.put(c, Files.readAllBytes(cache.resolve(url)));
    }
    return files;
  }
}
