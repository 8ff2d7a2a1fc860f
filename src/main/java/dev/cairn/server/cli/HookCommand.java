package dev.cairn.server.cli;

import dev.cairn.attest.hook.HookSettings;
import dev.cairn.attest.hook.PostBuildHook;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "hook", mixinStandardHelpOptions = true, description = "Clients that run on builders.",
    subcommands = {HookCommand.PostBuild.class, HookCommand.Flush.class, HookCommand.RegisterKey.class})
final class HookCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: post-build, flush or register-key");
  }

  /** Options shared by the hook commands; each falls back to CAIRN_HOOK_* then lila's HASH_COLLECTION_* variables. */
  static final class Settings {
    @Option(names = "--server", paramLabel = "URL", description = "Cairn's URL (CAIRN_HOOK_SERVER, HASH_COLLECTION_SERVER).")
    String server;

    @Option(names = "--token-file", paramLabel = "FILE", description = "File holding the API token (else CAIRN_HOOK_TOKEN, HASH_COLLECTION_TOKEN).")
    Path tokenFile;

    @Option(names = "--key-file", paramLabel = "FILE",
        description = "Nix secret key to sign outputs with (CAIRN_HOOK_KEY_FILE, HASH_COLLECTION_SECRET_KEY).")
    Path keyFile;

    @Option(names = "--store", paramLabel = "STORE", description = "Nix store to query, as nix --store (CAIRN_HOOK_STORE).")
    String store;

    @Option(names = "--spool", paramLabel = "DIR", description = "Where unsent reports wait (CAIRN_HOOK_SPOOL, default ~/.cache/cairn/hook-spool).")
    Path spool;

    @Option(names = "--attempts", defaultValue = "4", description = "Tries per report before spooling it (default ${DEFAULT-VALUE}).")
    int attempts;

    HookSettings resolve(Map<String, String> env) throws java.io.IOException {
      String url = first(server, env.get("CAIRN_HOOK_SERVER"), env.get("HASH_COLLECTION_SERVER"));
      if (url == null) {
        throw new IllegalArgumentException("no server: give --server or set CAIRN_HOOK_SERVER");
      }
      String token = tokenFile != null ? Files.readString(tokenFile).strip()
          : first(env.get("CAIRN_HOOK_TOKEN"), env.get("HASH_COLLECTION_TOKEN"));
      String key = first(keyFile == null ? null : keyFile.toString(), env.get("CAIRN_HOOK_KEY_FILE"), env.get("HASH_COLLECTION_SECRET_KEY"));
      Path spoolDir = spool != null ? spool : env.containsKey("CAIRN_HOOK_SPOOL") ? Path.of(env.get("CAIRN_HOOK_SPOOL"))
          : Path.of(System.getProperty("user.home"), ".cache", "cairn", "hook-spool");
      return new HookSettings(URI.create(url), token, Optional.ofNullable(key).map(Path::of),
          Optional.ofNullable(first(store, env.get("CAIRN_HOOK_STORE"))), spoolDir, attempts, Duration.ofMillis(500));
    }

    private static String first(String... values) {
      for (String v : values) {
        if (v != null && !v.isBlank()) {
          return v;
        }
      }
      return null;
    }
  }

  @Command(name = "post-build", mixinStandardHelpOptions = true,
      description = "Nix post-build-hook: report DRV_PATH's outputs (OUT_PATHS) to Cairn. Never fails the build.")
  static final class PostBuild implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    Settings settings;

    @Override
    public Integer call() {
      Map<String, String> env = System.getenv();
      try {
        String drv = env.get("DRV_PATH");
        if (drv == null || drv.isBlank()) {
          System.err.println("cairn hook: DRV_PATH is not set; run me as Nix's post-build-hook");
          return 0;
        }
        new PostBuildHook(settings.resolve(env), System.err).run(drv, env.getOrDefault("OUT_PATHS", ""));
      } catch (Exception e) {
        // A hook that fails makes Nix fail the build: report and carry on.
        System.err.println("cairn hook: not reported: " + e.getMessage());
      }
      return 0;
    }
  }

  @Command(name = "flush", mixinStandardHelpOptions = true, description = "Send the reports waiting in the spool.")
  static final class Flush implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    Settings settings;

    @Override
    public Integer call() throws Exception {
      int sent = new PostBuildHook(settings.resolve(System.getenv()), System.err).flushSpool();
      System.out.println("sent " + sent);
      return 0;
    }
  }

  @Command(name = "register-key", mixinStandardHelpOptions = true,
      description = "Register the builder's signing key (--key-file) with proof of possession: signs a server challenge with it.")
  static final class RegisterKey implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    Settings settings;

    @Override
    public Integer call() throws Exception {
      HookSettings resolved = settings.resolve(System.getenv());
      Path key = resolved.secretKeyFile().orElseThrow(() ->
          new IllegalArgumentException("no key: give --key-file or set CAIRN_HOOK_KEY_FILE"));
      String registered = new dev.cairn.attest.hook.KeyRegistration(resolved.server(), resolved.token()).register(key);
      System.out.println("registered " + registered);
      return 0;
    }
  }
}
