package dev.cairn.server.http;

import dev.cairn.castore.Buffers;
import dev.cairn.castore.NarIngester;
import dev.cairn.nix.NarFormatException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A request body (or any byte stream: an upstream cache's response) fed to NAR ingest as it arrives, never buffered whole (a Nix NAR upload may be
 * gigabytes). Parsing and blob writes run on the NAR pool in arrival order; the request is paused
 * while more than {@link #HIGH_WATER} bytes wait for that pool and resumed below
 * {@link #LOW_WATER}, so a fast client cannot outrun the store. More than {@code limit} bytes
 * fails with {@link BodyTooLargeException} (a 413) and the ingest is abandoned; a body that is
 * not a NAR, or that the client stops sending, with a {@link BadUploadException} (a 400).
 *
 * <p>One pool task at a time writes every piece received so far ({@link #batch}): HTTP/1 body
 * pieces are at most 8 KiB (Vert.x's max chunk size), and a task, a future and a hop back per
 * piece cost the event loop more CPU than the ingest itself ({@code nix copy --to} of a 1.29 GB
 * closure: 214,000 context switches and 11 s of event-loop CPU, bench/README.md "h-copyto").
 * All state but the pieces' bytes is confined to the stream's context.
 */
public final class StreamedNarUpload {
  static final int HIGH_WATER = 4 << 20;
  static final int LOW_WATER = 1 << 20;

  private final ReadStream<Buffer> request;
  private final NarIngester.Session session;
  /** What the body is written to: the session itself, or a decoder writing into it. */
  private final OutputStream sink;
  private final WorkerExecutor pool;
  private final long limit;
  private final Context context;
  private final Promise<NarIngester.Result> result = Promise.promise();
  /** Pieces received and not yet handed to the pool, in arrival order. */
  private List<Buffer> batch = new ArrayList<>();
  /** The pool task writing the previous batch (or finishing); the next starts when it ends. */
  private Future<?> writing = Future.succeededFuture();
  private boolean busy;
  private boolean ended;
  private long received;
  private long waiting;
  private boolean paused;
  private boolean failed;

  private StreamedNarUpload(ReadStream<Buffer> request, NarIngester ingester, WorkerExecutor pool, long limit, Context context,
                            UnaryOperator<OutputStream> decoding) {
    this.request = request;
    this.session = ingester.newSession();
    this.sink = decoding.apply(session);
    this.pool = pool;
    this.limit = limit;
    this.context = context;
  }

  /** Ingests the body of {@code request}; call from the request's event loop before the body is read. */
  public static Future<NarIngester.Result> ingest(HttpServerRequest request, NarIngester ingester, WorkerExecutor narPool, long limit) {
    return ingest(request, ingester, narPool, limit, UnaryOperator.identity());
  }

  /**
   * As {@link #ingest(HttpServerRequest, NarIngester, WorkerExecutor, long)}, the body written to
   * {@code decoding} applied to the ingest session (a decompressor, a hasher), on the NAR pool in
   * arrival order. Its {@code close()} marks the end of the body (a decoder fails there on a
   * truncated stream) and must not finish the session; {@code limit} bounds the body as sent.
   */
  public static Future<NarIngester.Result> ingest(HttpServerRequest request, NarIngester ingester, WorkerExecutor narPool, long limit,
                                                  UnaryOperator<OutputStream> decoding) {
    // Writes.streamed hands the request over paused (authenticated, body unread); only now is a
    // client waiting on 100-continue asked for the body.
    ExpectContinue.ask(request);
    return ingest((ReadStream<Buffer>) request, ingester, narPool, limit, decoding);
  }

  /**
   * As above, for any paused stream (an HTTP client response): resumed here, read with the same
   * back-pressure; call from the stream's context.
   */
  public static Future<NarIngester.Result> ingest(ReadStream<Buffer> request, NarIngester ingester, WorkerExecutor narPool, long limit,
                                                  UnaryOperator<OutputStream> decoding) {
    StreamedNarUpload upload = new StreamedNarUpload(request, ingester, narPool, limit, io.vertx.core.Vertx.currentContext(), decoding);
    upload.start();
    return upload.result.future();
  }

  private void start() {
    request.handler(this::piece);
    // The connection closed or reset before the body ended: the client gave up.
    request.exceptionHandler(e -> fail(new BadUploadException("body: the connection closed before the body ended (" + e + ")", e)));
    request.endHandler(v -> {
      ended = true;
      next();
    });
    request.resume();
  }

  private void piece(Buffer buffer) {
    if (failed) {
      return;
    }
    received += buffer.length();
    if (received > limit) {
      fail(new BodyTooLargeException(limit));
      return;
    }
    batch.add(buffer);
    waiting += buffer.length();
    if (waiting > HIGH_WATER && !paused) {
      paused = true;
      request.pause();
    }
    next();
  }

  /** Hands what was received to the pool unless a task is still writing; finishes after the end. */
  private void next() {
    if (busy || failed) {
      return;
    }
    if (!batch.isEmpty()) {
      List<Buffer> pieces = batch;
      batch = new ArrayList<>();
      busy = true;
      writing = pool.<Void>executeBlocking(() -> {
        for (Buffer piece : pieces) {
          write(piece);
        }
        return null;
      }, false).onComplete(ar -> context.runOnContext(v -> written(pieces, ar.cause())));
    } else if (ended) {
      busy = true;
      writing = pool.executeBlocking(() -> {
        sink.close();
        return session.finish();
      }, false).onComplete(ar -> context.runOnContext(v -> {
        if (ar.succeeded()) {
          result.tryComplete(ar.result());
        } else {
          fail(ar.cause());
        }
      }));
    }
  }

  private void written(List<Buffer> pieces, Throwable failure) {
    busy = false;
    if (failure != null) {
      fail(failure);
      return;
    }
    for (Buffer piece : pieces) {
      waiting -= piece.length();
    }
    if (paused && waiting < LOW_WATER && !failed) {
      paused = false;
      request.resume();
    }
    next();
  }

  /** A received piece's bytes as they are (a heap buffer of its own), no copy. */
  private void write(Buffer piece) throws IOException {
    Buffers.Bytes bytes = Buffers.bytes(piece);
    sink.write(bytes.array(), bytes.offset(), bytes.length());
  }


  private void fail(Throwable cause) {
    if (failed) {
      return;
    }
    Throwable e = cause instanceof NarFormatException bad ? new BadUploadException("nar: " + bad.getMessage(), bad) : cause;
    failed = true;
    // The blobs already stored stay unreferenced until garbage collection.
    writing.onComplete(ar -> pool.executeBlocking(() -> {
      try {
        // Releases a decoder's native state; that it finds the input incomplete is no news here.
        sink.close();
      } catch (IOException | RuntimeException ignored) {
        // the upload already failed for its own reason
      }
      session.abort();
      return null;
    }, false));
    result.tryFail(e);
  }
}
