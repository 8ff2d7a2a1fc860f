package dev.cairn.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.nix.RealNix;
import dev.cairn.server.TestServer;
import dev.cairn.users.Role;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Store paths for registry tests, built once with real Nix: {@code busybox} (a content-addressed
 * tree holding a static busybox and its applet links {@code sh}, {@code echo}, {@code cat},
 * {@code env}) and the input-addressed {@code top} → {@code dep} pair of {@link RealNix}. {@link #load}
 * copies them into a server with {@code nix copy --to} and a writer's netrc.
 */
final class RegistryFixture {
  final RealNix nix;
  final String busybox;
  final String top;
  final String dep;
  private final Path dir;

  RegistryFixture(Path dir) throws Exception {
    this.dir = dir;
    this.nix = new RealNix(dir.resolve("nix"));
    this.top = nix.buildInputAddressed();
    this.dep = Files.readString(nix.realPath(top)).strip();
    Path bin = Files.createDirectories(dir.resolve("busybox/bin"));
    Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
    for (String applet : List.of("sh", "echo", "cat", "env")) {
      Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
    }
    this.busybox = nix.add(dir.resolve("busybox"));
  }

  /** Copies the three paths (and their closures) into the server as a writer. */
  void load(TestServer server) throws Exception {
    Path netrc = dir.resolve("netrc-" + server.port());
    Files.writeString(netrc, "machine 127.0.0.1 login x password " + server.createUser("pusher-" + server.port(), Role.WRITER) + "\n");
    copy(server, busybox, top);
  }

  /** Copies more store paths of this fixture's store into a server {@link #load} loaded. */
  void copy(TestServer server, String... paths) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("nix", "copy", "--from", nix.store(), "--to", server.baseUrl() + "?compression=none",
        "--option", "netrc-file", dir.resolve("netrc-" + server.port()).toString()));
    command.addAll(List.of(paths));
    nix.ok(command.toArray(String[]::new));
  }

  /** Runs a command, requiring exit 0; answers its standard output. */
  static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
    p.getOutputStream().close();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread pump = new Thread(() -> copy(p.getErrorStream(), err));
    pump.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + String.join(" ", command));
    }
    pump.join();
    assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + err.toString(StandardCharsets.UTF_8) + out);
    return out;
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try (in) {
      in.transferTo(out);
    } catch (IOException ignored) {
      // the process ended
    }
  }
}
