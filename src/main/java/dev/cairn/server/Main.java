package dev.cairn.server;

import dev.cairn.server.cli.CairnCommand;
import picocli.CommandLine;

/** {@code java -jar cairn.jar <command>}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    dev.cairn.server.http.OutOfMemoryExit.installDefaultHandler();
    if (System.getProperty("jdk.nio.maxCachedBufferSize") == null) {
      // The JDK keeps, per thread, a direct buffer as large as the largest heap buffer ever
      // written to or read from a file or socket; with many worker threads that is unbounded
      // off-heap memory. Read once, when NIO is first used: so before anything else.
      System.setProperty("jdk.nio.maxCachedBufferSize", String.valueOf(256 << 10));
    }
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
    }
    System.exit(CairnCommand.commandLine().execute(args));
  }
}
