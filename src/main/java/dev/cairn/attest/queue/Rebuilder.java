package dev.cairn.attest.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.attest.hook.HookSettings;
import dev.cairn.attest.hook.PostBuildHook;
import dev.cairn.nix.NixSystem;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code cairn rebuild}: a rebuilder in one command. Pops one job at a time from the server's
 * queue, keeps its lease alive with pings while it builds, builds the derivation with Nix
 * ({@code nix-store --realise}, with {@code --check} when this builder already has every
 * output, so the output is built again and compared; stopped when a ping says the lease is
 * lost, since the job may then be another builder's), and reports the outputs through the
 * post-build hook ({@link PostBuildHook}), whose attestation completes the lease. It pops jobs
 * of its own system ({@code --system}, else Nix's {@code builtins.currentSystem}) or of none named.
 *
 * <p>The builder needs the job's {@code .drv} in its store (instantiate the jobset's
 * expression first, or let a substituter provide it through {@code nixOptions}).
 */
public final class Rebuilder {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the loop does: {@code maxJobs} 0 = no limit; {@code exitWhenIdle}: stop once nothing is queued or leased. */
  public record Settings(HookSettings hook, Optional<String> jobset, Optional<String> system, List<String> nixOptions, int maxJobs,
                         boolean exitWhenIdle, Duration idlePoll) {}

  private final Settings settings;
  private final PrintStream log;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final PostBuildHook hook;
  /** The system asked for in pops: the one given, else this Nix's own. */
  private Optional<String> system;
  /** The server's lease length: pings go out three times per lease. */
  private long leaseMillis = 30_000;

  public Rebuilder(Settings settings, PrintStream log) {
    this.settings = settings;
    this.log = log;
    this.hook = new PostBuildHook(settings.hook(), log);
    this.system = settings.system();
  }

  /** A job as popped. */
  record Job(long id, String drvPath, List<String> outputs, long leaseExpiresAt) {
    static Job of(JsonNode j) {
      List<String> outs = new ArrayList<>();
      j.path("outputs").forEach(o -> outs.add(o.asText()));
      return new Job(j.path("id").asLong(), j.path("drv_path").asText(), outs, j.path("lease_expires_at").asLong());
    }
  }

  /** Runs until {@code maxJobs} jobs were built, or the queue is idle when asked to stop then; returns the jobs reported. */
  public int run() throws IOException, InterruptedException {
    leaseMillis = queueState().path("lease_seconds").asLong(30) * 1000;
    if (system.isEmpty()) {
      system = currentSystem();
      log.println("cairn rebuild: building for " + system.map(s -> "system " + s).orElse("any system (Nix did not say its own)"));
    }
    ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cairn-rebuild-ping");
      t.setDaemon(true);
      return t;
    });
    int reported = 0;
    try {
      while (settings.maxJobs() == 0 || reported < settings.maxJobs()) {
        Optional<Job> job = pop();
        if (job.isEmpty() && settings.exitWhenIdle() && leased() == 0) {
          // Nothing leased: no job can come back for this builder except one completed just now; ask once more.
          job = pop();
          if (job.isEmpty()) {
            log.println("cairn rebuild: queue idle, stopping after " + reported + " jobs");
            return reported;
          }
        }
        if (job.isEmpty()) {
          Thread.sleep(settings.idlePoll().toMillis());
          continue;
        }
        if (build(job.get(), pinger)) {
          reported++;
        }
      }
      return reported;
    } finally {
      pinger.shutdownNow();
    }
  }

  private boolean build(Job job, ScheduledExecutorService pinger) throws IOException, InterruptedException {
    // A lease lost (expired before a ping came through, as on a loaded machine) may already be
    // another builder's: the build stops, so no two builders build one job at once.
    AtomicBoolean lost = new AtomicBoolean();
    AtomicReference<Process> running = new AtomicReference<>();
    long every = Math.max(250, leaseMillis / 3);
    ScheduledFuture<?> pings = pinger.scheduleAtFixedRate(() -> {
      if (!ping(job) && lost.compareAndSet(false, true)) {
        synchronized (running) {
          Process p = running.get();
          if (p != null) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
          }
        }
      }
    }, 0, every, TimeUnit.MILLISECONDS);
    try {
      boolean check = valid(job.outputs());
      log.println("cairn rebuild: job " + job.id() + " " + job.drvPath() + (check ? " check" : " build") + " started " + System.currentTimeMillis());
      List<String> cmd = nix("nix-store");
      cmd.addAll(List.of("--realise", job.drvPath()));
      if (check) {
        cmd.add("--check");
      }
      Process p;
      synchronized (running) {
        p = lost.get() ? null : new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(false).start();
        running.set(p);
      }
      String err = "";
      int exit = -1;
      if (p != null) {
        p.getOutputStream().close();
        err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        exit = p.waitFor();
      }
      if (lost.get() && exit != 0) {
        log.println("cairn rebuild: job " + job.id() + " " + job.drvPath() + " abandoned " + System.currentTimeMillis() + " (lease lost)");
        return false;
      }
      if (exit != 0) {
        log.println("cairn rebuild: job " + job.id() + " failed: " + err.strip());
        // Released at once for other builders, and never offered to this one again.
        HttpResponse<String> r = send("POST", "/api/v1/queue/" + job.id() + "/fail", null);
        if (r.statusCode() != 200) {
          log.println("cairn rebuild: POST /api/v1/queue/" + job.id() + "/fail answered " + r.statusCode() + ": " + r.body());
        }
        return false;
      }
      log.println("cairn rebuild: job " + job.id() + " " + job.drvPath() + " built " + System.currentTimeMillis());
      hook.run(job.drvPath(), String.join(" ", job.outputs()));
      log.println("cairn rebuild: job " + job.id() + " " + job.drvPath() + " reported " + System.currentTimeMillis());
      return true;
    } finally {
      pings.cancel(false);
    }
  }

  /** The system this Nix builds for ({@code builtins.currentSystem}), so the queue hands out only jobs it can build. */
  private Optional<String> currentSystem() throws IOException, InterruptedException {
    List<String> cmd = nix("nix-instantiate");
    cmd.addAll(List.of("--eval", "--expr", "builtins.currentSystem"));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (p.waitFor() != 0 || out.length() < 2) {
      return Optional.empty();
    }
    String system = out.substring(1, out.length() - 1);
    return NixSystem.valid(system) ? Optional.of(system) : Optional.empty();
  }

  /** Whether this builder's store has every output already (then the build is a {@code --check}). */
  private boolean valid(List<String> outputs) throws IOException, InterruptedException {
    if (outputs.isEmpty()) {
      return false;
    }
    List<String> cmd = nix("nix-store");
    cmd.add("--check-validity");
    cmd.addAll(outputs);
    Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    return p.waitFor() == 0;
  }

  private List<String> nix(String program) {
    List<String> cmd = new ArrayList<>(List.of(program));
    settings.hook().store().ifPresent(s -> cmd.addAll(List.of("--store", s)));
    for (int i = 0; i + 1 < settings.nixOptions().size(); i += 2) {
      cmd.addAll(List.of("--option", settings.nixOptions().get(i), settings.nixOptions().get(i + 1)));
    }
    return cmd;
  }

  private Optional<Job> pop() throws IOException, InterruptedException {
    ObjectNode body = JSON.createObjectNode().put("max", 1);
    settings.jobset().ifPresent(j -> body.put("jobset", j));
    system.ifPresent(s -> body.put("system", s));
    HttpResponse<String> r = send("POST", "/api/v1/queue/pop", JSON.writeValueAsString(body));
    if (r.statusCode() != 200) {
      throw new IOException("POST /api/v1/queue/pop answered " + r.statusCode() + ": " + r.body());
    }
    JsonNode jobs = JSON.readTree(r.body()).path("jobs");
    return jobs.isEmpty() ? Optional.empty() : Optional.of(Job.of(jobs.get(0)));
  }

  private long leased() throws IOException, InterruptedException {
    return queueState().path("leased").asLong();
  }

  /** {@code GET /api/v1/queue}: the counts and the lease length. */
  private JsonNode queueState() throws IOException, InterruptedException {
    HttpResponse<String> r = send("GET", "/api/v1/queue", null);
    if (r.statusCode() != 200) {
      throw new IOException("GET /api/v1/queue answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /** Renews the job's lease; false when the server says it is no longer this builder's (403, 404, 409). */
  private boolean ping(Job job) {
    try {
      HttpResponse<String> r = send("POST", "/api/v1/queue/" + job.id() + "/ping", null);
      if (r.statusCode() != 200) {
        log.println("cairn rebuild: ping of job " + job.id() + " answered " + r.statusCode() + ": " + r.body());
      }
      return r.statusCode() < 400 || r.statusCode() >= 500 || r.statusCode() == 401 || r.statusCode() == 429;
    } catch (IOException e) {
      log.println("cairn rebuild: ping of job " + job.id() + " failed: " + e.getMessage());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(settings.hook().server().resolve(path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + settings.hook().token());
    if (body != null) {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
