package dev.cairn.cache;

import dev.cairn.castore.NarRenderer;
import dev.cairn.castore.Node;
import dev.cairn.server.http.ResponseOutputStream;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Streams a NAR rendered from castore into a response whose status and Content-Length are already
 * set, on the store's NAR pool, with back-pressure from the client (ResponseOutputStream). The
 * tree was checked complete before; should rendering still fail (a blob collected meanwhile, the
 * client gone), the connection is reset, so the client sees an incomplete body and never a short 200.
 */
final class NarResponses {
  private static final Logger LOG = Logger.getLogger("cairn.cache");
  /** Bytes handed to the response and not yet on the socket, per download. */
  private static final int MAX_IN_FLIGHT = 4 << 20;
  private static final int PIECE = 128 << 10;

  private final NarRenderer renderer;
  private final WorkerExecutor narPool;
  private final long stallMillis;

  NarResponses(NarRenderer renderer, WorkerExecutor narPool, long stallMillis) {
    this.renderer = renderer;
    this.narPool = narPool;
    this.stallMillis = stallMillis;
  }

  Future<Void> send(HttpServerResponse response, Context context, Node root, long start, long length, String what) {
    return narPool.executeBlocking(() -> {
      ResponseOutputStream out = new ResponseOutputStream(response, context, MAX_IN_FLIGHT, PIECE, stallMillis);
      RangeOutputStream range = new RangeOutputStream(out, length);
      try {
        renderer.render(root, range, start);
      } catch (RangeOutputStream.Done done) {
        // the requested bytes are out; the rest of the NAR is not rendered
      } catch (IOException | RuntimeException e) {
        context.runOnContext(v -> response.reset());
        LOG.log(Level.WARNING, "NAR " + what + " stopped after the headers: " + e.getMessage());
        return null;
      }
      if (!range.complete()) {
        // The tree rendered shorter than its stored NarSize: never end such a response normally.
        context.runOnContext(v -> response.reset());
        LOG.severe("NAR " + what + " rendered fewer bytes than its NarSize");
        return null;
      }
      out.close();
      return null;
    }, false);
  }
}
