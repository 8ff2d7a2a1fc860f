package dev.cairn.attest.hook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.nix.Hash;
import dev.cairn.nix.NarInfo;
import dev.cairn.nix.SecretKey;
import dev.cairn.nix.StorePath;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Nix's {@code post-build-hook}: reads {@code DRV_PATH} and {@code OUT_PATHS}, asks Nix for
 * each output's NAR hash, size and references, signs Nix's fingerprint with the builder's
 * key and posts lila's attestation body. It never fails the user's build: when the server
 * cannot take the report it is spooled and sent before the next one.
 */
public final class PostBuildHook {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HookSettings settings;
  private final PrintStream log;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  public PostBuildHook(HookSettings settings, PrintStream log) {
    this.settings = settings;
    this.log = log;
  }

  /** A report waiting to be sent: the derivation ident and lila's JSON body. */
  record Pending(String drvIdent, String body) {}

  /** Runs for one build; returns normally even when the server is down. */
  public void run(String drvPath, String outPaths) throws IOException, InterruptedException {
    String drvIdent = drvIdent(drvPath);
    List<StorePath> outputs = outputs(drvPath, outPaths);
    if (outputs.isEmpty()) {
      log.println("cairn hook: " + drvPath + " has no outputs to report");
      return;
    }
    Optional<SecretKey> key = settings.secretKeyFile().map(PostBuildHook::readKey);
    ArrayNode body = JsonNodeFactory.instance.arrayNode();
    for (OutputReport report : describe(outputs, key)) {
      body.add(report.toJson());
    }
    flushSpool();
    Pending pending = new Pending(drvIdent, JSON.writeValueAsString(body));
    if (!send(pending)) {
      spool(pending);
    }
  }

  private static SecretKey readKey(Path file) {
    try {
      return SecretKey.parse(Files.readString(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read secret key file " + file + ": " + e.getMessage());
    }
  }

  /** {@code /nix/store/<hash>-<name>.drv} → {@code <hash>-<name>}, lila's derivation ident. */
  static String drvIdent(String drvPath) {
    StorePath drv = StorePath.parse(drvPath.strip());
    if (!drv.name().endsWith(".drv")) {
      throw new IllegalArgumentException("DRV_PATH " + drvPath + " does not name a .drv");
    }
    return drv.baseName().substring(0, drv.baseName().length() - 4);
  }

  /** Nix 2.8 passes an empty OUT_PATHS: then ask the store for the derivation's outputs. */
  private List<StorePath> outputs(String drvPath, String outPaths) throws IOException, InterruptedException {
    List<String> paths = new ArrayList<>();
    if (outPaths != null && !outPaths.isBlank()) {
      paths.addAll(List.of(outPaths.strip().split("\\s+")));
    } else {
      List<String> cmd = nixCommand("nix-store");
      cmd.addAll(List.of("-q", "--outputs", drvPath));
      paths.addAll(run(cmd).lines().filter(l -> !l.isBlank()).toList());
    }
    List<StorePath> out = new ArrayList<>();
    for (String p : paths) {
      out.add(StorePath.parse(p));
    }
    return out;
  }

  private List<String> nixCommand(String program) {
    List<String> cmd = new ArrayList<>(List.of(program));
    settings.store().ifPresent(s -> cmd.addAll(List.of("--store", s)));
    return cmd;
  }

  private List<OutputReport> describe(List<StorePath> outputs, Optional<SecretKey> key) throws IOException, InterruptedException {
    List<String> cmd = nixCommand("nix");
    cmd.add(1, "path-info");
    cmd.addAll(List.of("--json"));
    outputs.forEach(o -> cmd.add(o.fullPath()));
    JsonNode infos = JSON.readTree(run(cmd));
    Map<String, JsonNode> byPath = new TreeMap<>();
    infos.forEach(i -> byPath.put(i.get("path").asText(), i));
    List<OutputReport> reports = new ArrayList<>();
    for (StorePath out : outputs) {
      JsonNode info = byPath.get(out.fullPath());
      if (info == null || !info.hasNonNull("narHash")) {
        throw new IOException("nix path-info knows nothing of " + out.fullPath());
      }
      Hash narHash = Hash.parse(info.get("narHash").asText());
      long narSize = info.get("narSize").asLong();
      List<StorePath> refs = new ArrayList<>();
      info.path("references").forEach(r -> refs.add(StorePath.parse(r.asText())));
      Optional<String> sig = key.map(k -> k.sign(NarInfo.fingerprint(out, narHash, narSize, refs)).toString());
      reports.add(new OutputReport(out, narHash, narSize, refs, sig));
    }
    return reports;
  }

  private String run(List<String> cmd) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
    pb.environment().putIfAbsent("NIX_CONFIG", "experimental-features = nix-command");
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + err.strip());
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  /** Posts with retries and exponential backoff; false if the server could not take it now. */
  boolean send(Pending pending) throws InterruptedException {
    URI uri = settings.server().resolve("/attestation/" + pending.drvIdent());
    Duration backoff = settings.firstBackoff();
    for (int attempt = 1; attempt <= settings.attempts(); attempt++) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + settings.token())
            .POST(HttpRequest.BodyPublishers.ofString(pending.body()))
            .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          log.println("cairn hook: reported " + pending.drvIdent());
          return true;
        }
        if (r.statusCode() >= 400 && r.statusCode() < 500 && r.statusCode() != 408 && r.statusCode() != 429) {
          // The server understood and refused: retrying the same body will not help.
          log.println("cairn hook: server refused " + pending.drvIdent() + ": " + r.statusCode() + " " + r.body());
          reject(pending);
          return true;
        }
        log.println("cairn hook: server answered " + r.statusCode() + " (attempt " + attempt + ")");
      } catch (IOException e) {
        log.println("cairn hook: cannot reach " + settings.server() + " (attempt " + attempt + "): " + e.getMessage());
      }
      if (attempt < settings.attempts()) {
        Thread.sleep(backoff.toMillis());
        backoff = backoff.multipliedBy(2);
      }
    }
    return false;
  }

  /** Writes atomically, so a crash never leaves half a report to send. */
  private void spool(Pending pending) throws IOException {
    Files.createDirectories(settings.spool());
    ObjectNode entry = JsonNodeFactory.instance.objectNode();
    entry.put("drv_ident", pending.drvIdent());
    entry.put("body", pending.body());
    String name = System.currentTimeMillis() + "-" + UUID.randomUUID() + ".json";
    Path tmp = settings.spool().resolve("." + name + ".tmp");
    Files.writeString(tmp, JSON.writeValueAsString(entry));
    Files.move(tmp, settings.spool().resolve(name), StandardCopyOption.ATOMIC_MOVE);
    log.println("cairn hook: spooled the report of " + pending.drvIdent() + " in " + settings.spool() + "; it is sent with the next one");
  }

  private void reject(Pending pending) throws IOException {
    Path dir = settings.spool().resolve("rejected");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(pending.drvIdent() + "-" + UUID.randomUUID() + ".json"), pending.body());
  }

  /** Sends spooled reports oldest first; stops at the first that still cannot be sent. Returns how many were sent. */
  public int flushSpool() throws IOException, InterruptedException {
    if (!Files.isDirectory(settings.spool())) {
      return 0;
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(settings.spool(), "[0-9]*.json")) {
      s.forEach(files::add);
    }
    files.sort(null);
    int sent = 0;
    for (Path f : files) {
      JsonNode entry = JSON.readTree(Files.readString(f));
      Pending pending = new Pending(entry.get("drv_ident").asText(), entry.get("body").asText());
      if (!send(pending)) {
        break;
      }
      Files.delete(f);
      sent++;
    }
    return sent;
  }
}
