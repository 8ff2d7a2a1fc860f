package dev.cairn.server.cli;

import picocli.CommandLine.Command;

@Command(name = "key", mixinStandardHelpOptions = true, description = "Manage Nix signing keys.",
    subcommands = {})
final class KeyCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: generate");
  }
}
