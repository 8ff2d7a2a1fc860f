package dev.cairn.attest.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.nix.RealNix;
import dev.cairn.server.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two {@code cairn rebuild} processes, each with its own Nix 2.8 chroot store, work through a
 * jobset of busybox derivations: every job is built by both (two opinions make it reproduced),
 * never by both at once (a builder whose lease is lost stops building), and the builder that
 * already has an output rebuilds it with --check.
 * The SBOM names the derivations' system and the rebuilders pop for Nix's own (x86_64-linux).
 */
class RebuildRealNixTest {
  private static final int JOBS = 4;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern LINE = Pattern.compile("cairn rebuild: job (\\d+) (\\S+) (check started|build started|built|reported|abandoned) (\\d+)");

  @TempDir
  Path tmp;

  private static HttpResponse<String> send(TestServer s, String method, String path, String body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.baseUrl() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), method + " " + path + ": " + r.body());
    return r;
  }

  /** JOBS independent derivations that each take a second, built by a static busybox. */
  private static String expression() {
    StringBuilder jobs = new StringBuilder();
    for (int i = 0; i < JOBS; i++) {
      jobs.append("  (derivation { name = \"job-").append(i).append("\"; system = \"x86_64-linux\"; builder = bb;\n")
          .append("                args = [ \"sh\" \"-c\" \"sleep 1; echo job-").append(i).append(" > $out\" ]; })\n");
    }
    return "let bb = \"${./bbdir}/busybox\"; in [\n" + jobs + "]\n";
  }

  /** A builder's chroot store with the jobset's derivations instantiated (a rebuilder evaluates the jobset's expression itself). */
  private static List<String> instantiate(RealNix nix, Path file) throws Exception {
    return nix.ok("nix-instantiate", "--store", nix.store(), file.toString()).out().lines().filter(l -> l.endsWith(".drv")).toList();
  }

  private Process rebuilder(TestServer s, String name, String token, RealNix nix) throws Exception {
    Path tokenFile = Files.writeString(tmp.resolve(name + ".token"), token);
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
        "dev.cairn.server.Main", "rebuild", "--server", s.baseUrl(), "--jobset", "busybox", "--token-file", tokenFile.toString(),
        "--store", nix.store(), "--spool", tmp.resolve(name + "-spool").toString(), "--nix-option", "sandbox", "false",
        "--exit-when-idle", "--poll-seconds", "1");
    pb.environment().put("HOME", nix.dir().resolve("home").toString());
    pb.environment().put("XDG_CACHE_HOME", nix.dir().resolve("cache").toString());
    pb.environment().put("NIX_CONFIG", "experimental-features = nix-command");
    Files.createDirectories(nix.dir().resolve("home"));
    return pb.redirectError(tmp.resolve(name + ".log").toFile()).redirectOutput(tmp.resolve(name + ".out").toFile()).start();
  }

  /** One builder's work on one job: when its build started and ended, and whether it was a --check. */
  record Work(long job, long started, long built, boolean check) {}

  private Map<Long, Work> work(String name) throws Exception {
    Map<Long, Work> out = new HashMap<>();
    Map<Long, long[]> times = new HashMap<>();
    Map<Long, Boolean> checks = new HashMap<>();
    for (String line : Files.readAllLines(tmp.resolve(name + ".log"))) {
      Matcher m = LINE.matcher(line);
      if (!m.find()) {
        continue;
      }
      long job = Long.parseLong(m.group(1));
      long[] t = times.computeIfAbsent(job, k -> new long[2]);
      switch (m.group(3)) {
        case "check started", "build started" -> {
          assertEquals(0, t[0], name + " started job " + job + " twice");
          t[0] = Long.parseLong(m.group(4));
          checks.put(job, m.group(3).startsWith("check"));
        }
        case "built" -> t[1] = Long.parseLong(m.group(4));
        // The lease was lost (a ping came too late on a loaded machine): the build stopped, and the job is popped again later.
        case "abandoned" -> t[0] = 0;
        default -> { }
      }
    }
    times.forEach((job, t) -> out.put(job, new Work(job, t[0], t[1], checks.get(job))));
    return out;
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void twoRebuildersShareTheJobsetNeverBuildingOneJobAtOnce(Dialect d) throws Exception {
    // A lease shorter than two builds: only the pings keep it while a build runs.
    try (TestServer s = TestServer.start(d, Map.of("CAIRN_ATTEST_QUEUE_LEASE_SECONDS", "3"))) {
      String alice = s.createUser("alice");
      String bob = s.createUser("bob");
      RealNix a = new RealNix(tmp.resolve("a"));
      RealNix b = new RealNix(tmp.resolve("b"));
      Path src = Files.createDirectories(tmp.resolve("src/bbdir"));
      Files.copy(Path.of("/bin/busybox"), src.resolve("busybox"));
      Path file = Files.writeString(tmp.resolve("src/jobs.nix"), expression());
      List<String> drvs = instantiate(a, file);
      assertEquals(drvs, instantiate(b, file), "both builders evaluate the same derivations");
      assertEquals(JOBS, drvs.size());
      List<String> outs = new ArrayList<>();
      for (String drv : drvs) {
        outs.add(a.ok("nix-store", "--store", a.store(), "-q", "--outputs", drv).out());
      }
      // Alice already has job-0's output (built before, not reported): she rebuilds it with --check.
      a.ok("nix-store", "--store", a.store(), "--option", "sandbox", "false", "--realise", drvs.get(0));

      JsonArray components = new JsonArray();
      for (int i = 0; i < JOBS; i++) {
        components.add(new JsonObject().put("bom-ref", outs.get(i)).put("properties", new JsonArray()
            .add(new JsonObject().put("name", "nix:out_path").put("value", outs.get(i)))
            .add(new JsonObject().put("name", "nix:drv_path").put("value", drvs.get(i)))
            .add(new JsonObject().put("name", "nix:system").put("value", "x86_64-linux"))));
      }
      String sbom = new JsonObject().put("bomFormat", "CycloneDX").put("specVersion", "1.5").put("components", components).encode();
      long js = new JsonObject(send(s, "POST", "/api/jobsets", new JsonObject().put("name", "busybox").encode(), alice).body()).getLong("id");
      send(s, "PUT", "/api/jobsets/" + js + "/upload-evaluation/rev1", sbom, alice);

      Process pa = rebuilder(s, "alice", alice, a);
      Process pb = rebuilder(s, "bob", bob, b);
      boolean finished = pa.waitFor(240, TimeUnit.SECONDS) & pb.waitFor(240, TimeUnit.SECONDS);
      String logs = Files.readString(tmp.resolve("alice.log")) + "\n----\n" + Files.readString(tmp.resolve("bob.log"));
      pa.destroyForcibly();
      pb.destroyForcibly();
      assertTrue(finished, logs);
      assertEquals(0, pa.exitValue(), logs);
      assertEquals(0, pb.exitValue(), logs);
      assertEquals("reported " + JOBS, Files.readString(tmp.resolve("alice.out"), StandardCharsets.UTF_8).strip(), logs);
      assertEquals("reported " + JOBS, Files.readString(tmp.resolve("bob.out"), StandardCharsets.UTF_8).strip(), logs);

      Map<Long, Work> byAlice = work("alice");
      Map<Long, Work> byBob = work("bob");
      assertEquals(JOBS, byAlice.size(), logs);
      assertEquals(byAlice.keySet(), byBob.keySet(), "each job built once by each builder: " + logs);
      for (long job : byAlice.keySet()) {
        Work x = byAlice.get(job);
        Work y = byBob.get(job);
        assertTrue(x.built() > 0 && y.built() > 0, logs);
        assertTrue(x.built() < y.started() || y.built() < x.started(), "job " + job + " built by both at once: " + logs);
      }
      assertEquals(1, byAlice.values().stream().filter(Work::check).count(), "alice checks the output she had: " + logs);
      assertEquals(0, byBob.values().stream().filter(Work::check).count(), logs);

      JsonObject counts = new JsonObject(send(s, "GET", "/api/v1/queue", null, null).body());
      assertEquals(new JsonObject().put("queued", 0).put("leased", 0).put("done", JOBS).put("lease_seconds", 3), counts);
      for (String out : outs) {
        JsonObject o = new JsonObject(send(s, "GET", "/api/v1/outputs/" + out.substring("/nix/store/".length()), null, null).body());
        assertEquals("Successfully reproduced", o.getString("status"), o.encode());
      }
    }
  }
}
