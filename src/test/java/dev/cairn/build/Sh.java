package dev.cairn.build;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real tool (cat, stat, runc, ...) and answers its exit code and output. */
public record Sh(int exit, String out) {
  public static Sh run(String... command) throws Exception {
    Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + String.join(" ", command));
    }
    return new Sh(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** Runs and insists on exit 0. */
  public static String ok(String... command) throws Exception {
    Sh r = run(command);
    if (r.exit != 0) {
      throw new AssertionError(String.join(" ", command) + " exited " + r.exit + ": " + r.out);
    }
    return r.out;
  }
}
