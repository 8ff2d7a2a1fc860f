package dev.cairn.server.cli;

import dev.cairn.castore.Blake3;
import dev.cairn.server.CairnServer;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the server (default: HTTP on 127.0.0.1:8080, SQLite and blobs under ./data).")
final class ServeCommand implements java.util.concurrent.Callable<Integer> {
  private static final Logger LOG = Logger.getLogger("cairn.server");

  @Mixin
  ConfigOption config;

  @Override
  public Integer call() throws Exception {
    CairnServer server = CairnServer.start(config.load()).toCompletionStage().toCompletableFuture().get();
    LOG.info("cairn " + dev.cairn.server.Version.current() + " listening on http://" + server.host() + ":" + server.port()
        + " (metadata: " + server.db().dialect().name().toLowerCase() + ")");
    LOG.info("BLAKE3: " + Blake3.implementation());
    Object done = new Object();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // Not through java.util.logging: its own shutdown hook may close the handlers first.
      System.err.println("cairn: shutting down: finishing in-flight requests");
      try {
        server.close();
      } catch (Exception e) {
        System.err.println("cairn: shutdown incomplete: " + e);
      }
      synchronized (done) {
        done.notifyAll();
      }
    }, "cairn-shutdown"));
    synchronized (done) {
      done.wait();
    }
    return 0;
  }
}
