package dev.cairn.server;

import dev.cairn.server.cli.CairnCommand;
import picocli.CommandLine;

/** {@code java -jar cairn.jar <command>}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    dev.cairn.server.http.OutOfMemoryExit.installDefaultHandler();
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
    }
    System.exit(CairnCommand.commandLine().execute(args));
  }
}
