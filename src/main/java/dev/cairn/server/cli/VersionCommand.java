package dev.cairn.server.cli;

import dev.cairn.server.Version;
import picocli.CommandLine.Command;

@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version of Cairn.")
final class VersionCommand implements Runnable {
  @Override
  public void run() {
    System.out.println("cairn " + Version.current());
  }
}
