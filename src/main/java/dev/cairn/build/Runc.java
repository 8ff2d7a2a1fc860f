package dev.cairn.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/** The runc command line: run a bundle, kill and delete a container, list containers. Blocking. */
final class Runc {
  private static final Logger LOG = Logger.getLogger("cairn.build");
  private final String binary;

  Runc(String binary) {
    this.binary = binary;
  }

  /** Why the configured binary cannot be run (not found, not executable), else empty. */
  Optional<String> missing() {
    if (binary.contains("/")) {
      return Files.isExecutable(Path.of(binary)) ? Optional.empty()
          : Optional.of("build.runc: " + binary + " does not exist or is not executable");
    }
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, binary))) {
        return Optional.empty();
      }
    }
    return Optional.of("build.runc: \"" + binary + "\" is not found on PATH (" + path + "); install runc or set build.runc");
  }

  /** Starts {@code runc run} (stdout and stderr merged; stdin closed). */
  Process start(Path bundle, String id) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(binary, "run", "--bundle", bundle.toString(), id)
        .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return pb.start();
  }

  void kill(String id) {
    run(binary, "kill", id, "KILL");
  }

  /** Deletes the container whatever its state; fine when it is already gone. */
  void delete(String id) {
    run(binary, "delete", "--force", id);
  }

  /** Container id → bundle directory, of every container runc knows. */
  List<String[]> list() {
    String out = run(binary, "list", "--format", "json");
    List<String[]> found = new ArrayList<>();
    if (out == null || out.isBlank() || out.strip().equals("null")) {
      return found;
    }
    try {
      for (JsonNode c : new ObjectMapper().readTree(out)) {
        found.add(new String[] {c.path("id").asText(), c.path("bundle").asText()});
      }
    } catch (IOException e) {
      LOG.warning("runc list: unreadable answer: " + e.getMessage());
    }
    return found;
  }

  boolean exists(String id) {
    return list().stream().anyMatch(c -> c[0].equals(id));
  }

  private static String run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      return new String(out, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      LOG.warning(String.join(" ", command) + ": " + e.getMessage());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
