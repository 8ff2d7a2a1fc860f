package dev.cairn.server.cli;

import dev.cairn.db.DatabaseUnavailableException;
import dev.cairn.server.Version;
import dev.cairn.server.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The root of the CLI. Failures print one line naming the cause, never a stack trace. */
@Command(name = "cairn", mixinStandardHelpOptions = true, versionProvider = CairnCommand.VersionProvider.class,
    description = "The trust layer of a Nix build farm: attestations, content-addressed store, binary cache, registry, builds.",
    subcommands = {ServeCommand.class, UserCommand.class, KeyCommand.class, GcCommand.class, MountCommand.class, HookCommand.class, RebuildCommand.class, VersionCommand.class, CommandLine.HelpCommand.class})
public final class CairnCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new CairnCommand());
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      Throwable cause = e;
      while ((cause instanceof java.util.concurrent.CompletionException || cause instanceof java.util.concurrent.ExecutionException)
          && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof ConfigException) {
        commandLine.getErr().println("cairn: configuration: " + cause.getMessage());
      } else if (cause instanceof DatabaseUnavailableException) {
        commandLine.getErr().println("cairn: database.url: " + cause.getMessage());
      } else if (cause instanceof dev.cairn.validation.ValidationException || cause instanceof IllegalArgumentException
          || cause instanceof IllegalStateException
          || cause instanceof java.io.IOException) {
        commandLine.getErr().println("cairn: " + cause.getMessage());
      } else {
        commandLine.getErr().println("cairn: unexpected error: " + cause);
        cause.printStackTrace(commandLine.getErr());
      }
      return 2;
    });
    return cl;
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"cairn " + Version.current()};
    }
  }
}
