package dev.cairn.frankenbuild;

import dev.cairn.store.ClosureConflictException;
import dev.cairn.store.PathInfo;
import dev.cairn.store.UploadGate;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.util.logging.Logger;

/**
 * Checks the closure of every new path before it is stored: in {@link FrankenbuildMode#WARN}
 * a disputed edge is logged and counted ({@code cairn_frankenbuild_candidates_total{action="warned"}}),
 * in {@link FrankenbuildMode#REJECT} the path is refused with the evidence (and counted as
 * {@code action="refused"}).
 */
final class FrankenbuildGate implements UploadGate {
  private static final Logger LOG = Logger.getLogger("cairn.frankenbuild");

  private final ClosureCheck check;
  private final FrankenbuildMode mode;
  private final Counter counted;

  FrankenbuildGate(ClosureCheck check, FrankenbuildMode mode, MeterRegistry metrics) {
    this.check = check;
    this.mode = mode;
    this.counted = Counter.builder("cairn.frankenbuild.candidates")
        .description("New paths whose closure holds a reference with disputed content (cache.frankenbuild)")
        .tag("action", mode == FrankenbuildMode.REJECT ? "refused" : "warned").register(metrics);
  }

  @Override
  public Future<Void> admit(PathInfo offered) {
    return check.checkOffered(offered).compose(report -> {
      if (report.truncated()) {
        LOG.warning("closure check of " + offered.storePath().baseName() + " stopped after " + report.checkedPaths()
            + " paths (cache.closure_check_max_paths): the rest of its closure was not checked");
      }
      if (!report.conflicting()) {
        return Future.succeededFuture();
      }
      counted.increment();
      ConflictingEdge first = report.conflicts().get(0);
      String message = "frankenbuild: " + first.referrer().baseName() + " refers to " + first.reference().baseName()
          + ", whose content is disputed (" + sources(first) + ")" + (report.conflicts().size() > 1
              ? "; " + (report.conflicts().size() - 1) + " more disputed edge(s) in its closure" : "");
      if (mode == FrankenbuildMode.REJECT) {
        LOG.warning("refused " + offered.storePath().baseName() + ": " + message);
        return Future.failedFuture(new ClosureConflictException(message + "; cache.frankenbuild is reject", ClosureJson.report(report)));
      }
      LOG.warning("stored " + offered.storePath().baseName() + " although " + message + " (cache.frankenbuild: warn)");
      return Future.succeededFuture();
    });
  }

  /** "upload by bob, upstream https://…/, attestation by alice", in evidence order, each once. */
  private static String sources(ConflictingEdge e) {
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    for (Evidence x : e.evidence()) {
      if (x instanceof Evidence.ContentChanged) {
        out.add("this store's record of it changed");
      } else if (x instanceof Evidence.Claimed c) {
        // "upload by bob", "upstream https://cache.example.org/"
        out.add(c.claim().source().wire() + c.claim().claimant().map(s -> " by " + s).or(() -> c.claim().origin().map(s -> " " + s)).orElse(""));
      } else if (x instanceof Evidence.Attested a) {
        out.add("attestation by " + a.vote().builder());
      }
    }
    return String.join(", ", out);
  }
}
