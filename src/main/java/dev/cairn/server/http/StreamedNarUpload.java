package dev.cairn.server.http;

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
import java.util.function.UnaryOperator;

/**
 * A request body (or any byte stream: an upstream cache's response) fed to NAR ingest as it arrives, never buffered whole (a Nix NAR upload may be
 * gigabytes). Parsing and blob writes run on the NAR pool in arrival order; the request is paused
 * while more than {@link #HIGH_WATER} bytes wait for that pool and resumed below
 * {@link #LOW_WATER}, so a fast client cannot outrun the store. More than {@code limit} bytes
 * fails with {@link BodyTooLargeException} (a 413) and the ingest is abandoned; a body that is
 * not a NAR, or that the client stops sending, with a {@link BadUploadException} (a 400).
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
  private Future<Void> tail = Future.succeededFuture();
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
      if (!failed) {
        tail = tail.compose(x -> pool.executeBlocking(() -> {
              sink.close();
              return session.finish();
            }, false))
            .onSuccess(result::tryComplete)
            .onFailure(this::fail)
            .mapEmpty();
      }
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
    byte[] bytes = buffer.getBytes();
    waiting += bytes.length;
    if (waiting > HIGH_WATER && !paused) {
      paused = true;
      request.pause();
    }
    tail = tail.compose(x -> pool.<Void>executeBlocking(() -> {
      sink.write(bytes, 0, bytes.length);
      return null;
    }, false)).andThen(ar -> context.runOnContext(v -> drained(bytes.length)));
    tail.onFailure(this::fail);
  }

  private void drained(int n) {
    waiting -= n;
    if (paused && waiting < LOW_WATER && !failed) {
      paused = false;
      request.resume();
    }
  }

  private void fail(Throwable cause) {
    if (failed) {
      return;
    }
    Throwable e = cause instanceof NarFormatException bad ? new BadUploadException("nar: " + bad.getMessage(), bad) : cause;
    failed = true;
    // The blobs already stored stay unreferenced until garbage collection.
    tail.onComplete(ar -> pool.executeBlocking(() -> {
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
