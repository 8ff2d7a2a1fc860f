package dev.cairn.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Debian's chromium, headless, with a throwaway profile under {@code dir}; a missing browser fails the test. */
public final class HeadlessChromium {
  private final Path dir;

  public HeadlessChromium(Path dir) {
    this.dir = dir;
  }

  /** Runs chromium with {@code args} and returns its standard output (e.g. of {@code --dump-dom}). */
  public byte[] run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
        "--user-data-dir=" + dir.resolve("profile")));
    cmd.addAll(List.of(args));
    Files.createDirectories(dir);
    Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("chromium.log").toFile()).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium finished");
    assertEquals(0, p.exitValue(), Files.readString(dir.resolve("chromium.log")));
    return out.toByteArray();
  }
}
