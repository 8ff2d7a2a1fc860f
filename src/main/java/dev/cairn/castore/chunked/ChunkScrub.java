package dev.cairn.castore.chunked;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.chunks.ChunkStore;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * The background check behind {@code castore.verify_reads: once} ({@code castore.scrub_interval}):
 * re-hashes every stored chunk, one at a time (a page of the store's listing, then each chunk of
 * it read and hashed on the CPU pool), so it never holds more than one chunk nor takes more than
 * one core. A chunk that no longer hashes to its digest is deleted and forgotten as verified —
 * readers of its blobs then fail instead of serving it, and uploading the content again repairs
 * it; a sound one is recorded as verified at the version just read.
 */
public final class ChunkScrub {
  private static final Logger LOG = Logger.getLogger("cairn.castore");
  private static final int PAGE = 256;

  /** What one pass found. */
  public record Report(long chunks, long corrupted) {}

  private final ChunkStore store;
  private final ChunkVerifier verifier;
  private final AtomicBoolean running = new AtomicBoolean();

  ChunkScrub(ChunkStore store, ChunkVerifier verifier) {
    this.store = store;
    this.verifier = verifier;
  }

  /** One pass over the whole store; a pass asked for while one runs is skipped (empty report). */
  public Future<Report> run() {
    if (!running.compareAndSet(false, true)) {
      return Future.succeededFuture(new Report(0, 0));
    }
    long started = System.nanoTime();
    return page(Optional.empty(), new Report(0, 0))
        .onComplete(ar -> running.set(false))
        .onSuccess(r -> LOG.info("chunk scrub of " + store.describe() + ": " + r.chunks() + " chunks, " + r.corrupted()
            + " corrupted (deleted), " + (System.nanoTime() - started) / 1_000_000 + " ms"));
  }

  private Future<Report> page(Optional<B3Digest> after, Report sofar) {
    return store.list(after, PAGE).compose(listed -> {
      if (listed.isEmpty()) {
        return Future.succeededFuture(sofar);
      }
      return each(listed, 0, sofar).compose(r -> listed.size() < PAGE ? Future.succeededFuture(r)
          : page(Optional.of(listed.get(listed.size() - 1).digest()), r));
    });
  }

  private Future<Report> each(List<ChunkStore.Listed> listed, int i, Report sofar) {
    if (i == listed.size()) {
      return Future.succeededFuture(sofar);
    }
    return verifier.scrub(listed.get(i).digest())
        .compose(sound -> each(listed, i + 1, new Report(sofar.chunks() + 1, sofar.corrupted() + (sound ? 0 : 1))));
  }
}
