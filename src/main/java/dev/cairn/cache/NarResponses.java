package dev.cairn.cache;

import com.github.luben.zstd.ZstdOutputStream;
import dev.cairn.castore.NarRenderer;
import dev.cairn.castore.Node;
import dev.cairn.server.http.ResponseOutputStream;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerResponse;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Streams a NAR rendered from castore into a response whose status and headers are already set,
 * on the store's NAR pool, with back-pressure from the client (ResponseOutputStream), optionally
 * through a streaming zstd compressor ({@code Content-Encoding: zstd}: the compressor writes into
 * the same bounded stream, so a slow client holds back rendering and compression alike). The tree
 * was checked complete before; should rendering still fail (a blob collected meanwhile, the
 * client gone), the connection is reset, so the client sees an incomplete body and never a short 200.
 */
final class NarResponses {
  private static final Logger LOG = Logger.getLogger("cairn.cache");
  /** Bytes handed to the response and not yet on the socket, per download. */
  private static final int MAX_IN_FLIGHT = 4 << 20;
  private static final int PIECE = 128 << 10;
  /**
   * zstd level of compressed responses: level 1 compresses a NAR at several hundred MB/s per core
   * (higher levels cost CPU on every download, for a few percent).
   */
  static final int ZSTD_LEVEL = 1;

  private final NarRenderer renderer;
  private final WorkerExecutor narPool;
  private final long stallMillis;

  NarResponses(NarRenderer renderer, WorkerExecutor narPool, long stallMillis) {
    this.renderer = renderer;
    this.narPool = narPool;
    this.stallMillis = stallMillis;
  }

  /** Bytes [start, start + length) of the NAR, as they are, or the whole NAR zstd-compressed. */
  Future<Void> send(HttpServerResponse response, Context context, Node root, long start, long length, boolean zstd, String what) {
    return narPool.executeBlocking(() -> {
      ResponseOutputStream out = new ResponseOutputStream(response, context, MAX_IN_FLIGHT, PIECE, stallMillis);
      Detachable body = new Detachable(out);
      OutputStream encoded = zstd ? new ZstdOutputStream(body, ZSTD_LEVEL) : body;
      RangeOutputStream range = new RangeOutputStream(encoded, length);
      try {
        renderer.render(root, range, start);
      } catch (RangeOutputStream.Done done) {
        // the requested bytes are out; the rest of the NAR is not rendered
      } catch (IOException | RuntimeException e) {
        fail(context, response, body, encoded);
        LOG.log(Level.WARNING, "NAR " + what + " stopped after the headers: " + e.getMessage());
        return null;
      }
      if (!range.complete()) {
        // The tree rendered shorter than its stored NarSize: never end such a response normally.
        fail(context, response, body, encoded);
        LOG.severe("NAR " + what + " rendered fewer bytes than its NarSize");
        return null;
      }
      encoded.close();
      return null;
    }, false);
  }

  /** Resets the response, and frees the compressor without sending what it still holds. */
  private static void fail(Context context, HttpServerResponse response, Detachable body, OutputStream encoded) {
    context.runOnContext(v -> response.reset());
    body.detach();
    try {
      encoded.close();
    } catch (IOException ignored) {
      // detached: nothing reaches the response any more
    }
  }

  /** Passes bytes on until detached; then drops them and never closes what it wraps. */
  private static final class Detachable extends FilterOutputStream {
    private volatile boolean detached;

    Detachable(OutputStream out) {
      super(out);
    }

    void detach() {
      detached = true;
    }

    @Override
    public void write(int b) throws IOException {
      if (!detached) {
        out.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (!detached) {
        out.write(b, off, len);
      }
    }

    @Override
    public void flush() throws IOException {
      if (!detached) {
        out.flush();
      }
    }

    @Override
    public void close() throws IOException {
      if (!detached) {
        out.close();
      }
    }
  }
}
