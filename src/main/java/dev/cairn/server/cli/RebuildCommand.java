package dev.cairn.server.cli;

import dev.cairn.attest.queue.Rebuilder;
import dev.cairn.nix.NixSystem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "rebuild", mixinStandardHelpOptions = true,
    description = "A rebuilder in one command: pop a job from the server's rebuild queue, build it with Nix (--check when the"
        + " outputs are already here), report it through the post-build hook, repeat.")
final class RebuildCommand implements Callable<Integer> {
  @Mixin
  HookCommand.Settings settings;

  @Option(names = "--jobset", paramLabel = "NAME", description = "Only jobs of this jobset (default: any enabled jobset).")
  String jobset;

  @Option(names = "--system", paramLabel = "SYSTEM", description = "Only jobs for this Nix system or of unknown system, e.g. x86_64-linux (default: this Nix's builtins.currentSystem).")
  String system;

  @Option(names = "--nix-option", arity = "2", paramLabel = "NAME VALUE", description = "Passed to nix-store as --option NAME VALUE (repeatable).")
  List<String> nixOptions = new ArrayList<>();

  @Option(names = "--max-jobs", defaultValue = "0", description = "Stop after this many jobs (0: never).")
  int maxJobs;

  @Option(names = "--exit-when-idle", description = "Stop once no job is queued for this builder and none is leased to anyone.")
  boolean exitWhenIdle;

  @Option(names = "--poll-seconds", defaultValue = "30", description = "Wait between pops while the queue has nothing (default ${DEFAULT-VALUE}).")
  int pollSeconds;

  @Override
  public Integer call() throws Exception {
    if (maxJobs < 0 || pollSeconds < 1) {
      throw new IllegalArgumentException("--max-jobs must be 0 or more and --poll-seconds 1 or more");
    }
    Rebuilder.Settings s = new Rebuilder.Settings(settings.resolve(System.getenv()), Optional.ofNullable(jobset),
        Optional.ofNullable(system).map(x -> NixSystem.parse("--system", x).value()),
        List.copyOf(nixOptions), maxJobs, exitWhenIdle, Duration.ofSeconds(pollSeconds));
    int n = new Rebuilder(s, System.err).run();
    System.out.println("reported " + n);
    return 0;
  }
}
