package dev.cairn.server.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;

/**
 * Reads a request body of at most {@code limit} bytes, whatever its Content-Type: clients like
 * {@code curl --data @file} label JSON as a form, and Vert.x's BodyHandler would then try to
 * parse it as one. Larger bodies get 413 and are not read further.
 *
 * <p>Memory is bounded across requests by a {@link BodyBudget}: a body kept in memory reserves
 * its bytes before they arrive (the declared Content-Length, or chunk by chunk), and releases
 * them when the response ends; a request that cannot reserve gets 503 with Retry-After. Bodies
 * larger than {@code http.body_spool_threshold_bytes} are written to a temporary file under
 * {@code data_dir/tmp/bodies} while they arrive (a slow upload holds no memory), and reserve
 * their size only once complete, just before the handler gets them.
 *
 * <p>Used through {@link Writes}, which authenticates before this handler reads anything.
 */
public final class RawBody implements Handler<RoutingContext> {
  private static final String KEY = "cairn.rawBody";
  static final int RETRY_AFTER_SECONDS = 5;

  private final Vertx vertx;
  private final BodyBudget budget;
  private final HttpLimits limits;
  private final long limit;

  RawBody(Vertx vertx, BodyBudget budget, HttpLimits limits, long limit) {
    this.vertx = vertx;
    this.budget = budget;
    this.limits = limits;
    // One Buffer holds at most 2 GiB.
    this.limit = Math.min(limit, Integer.MAX_VALUE - 8);
  }

  /** The body read by this handler (empty if there was none). */
  public static Buffer of(RoutingContext rc) {
    Buffer b = rc.get(KEY);
    return b == null ? Buffer.buffer() : b;
  }

  @Override
  public void handle(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    long declared = declaredLength(request);
    if (declared > limit) {
      tooLarge(rc, "body: larger than the limit of " + limit + " bytes");
      return;
    }
    if (declared > budget.capacity()) {
      tooLarge(rc, "body: larger than the " + budget.capacity() + " bytes the server holds at once (http.max_body_bytes_in_flight)");
      return;
    }
    if (request.isEnded()) {
      rc.put(KEY, Buffer.buffer());
      rc.next();
      return;
    }
    new Read(rc, declared).start();
  }

  /** The Content-Length, or -1 when the body is chunked (or the header is not a plain number). */
  private static long declaredLength(HttpServerRequest request) {
    String declared = request.getHeader("Content-Length");
    return declared != null && declared.matches("[0-9]{1,18}") ? Long.parseLong(declared) : -1;
  }

  private void tooLarge(RoutingContext rc, String detail) {
    JsonError.sendAndClose(rc.request(), 413, detail);
  }

  private static void busy(RoutingContext rc) {
    if (!rc.response().headWritten()) {
      rc.response().putHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
      JsonError.sendAndClose(rc.request(), 503,
          "server busy: too many request bodies in flight (http.max_body_bytes_in_flight); retry later");
    }
  }

  /** One body being read: in memory while it stays small, else into a spool file. */
  private final class Read {
    private final RoutingContext rc;
    private final HttpServerRequest request;
    private final long declared;
    private Buffer memory = Buffer.buffer();
    private long reserved;
    private long received;
    private AsyncFile spool;
    private Path spoolPath;
    private boolean done;
    private boolean ended;

    Read(RoutingContext rc, long declared) {
      this.rc = rc;
      this.request = rc.request();
      this.declared = declared;
    }

    void start() {
      rc.addEndHandler(v -> finish());
      request.exceptionHandler(e -> finish());
      if (declared > limits.bodySpoolThresholdBytes()) {
        request.pause();
        openSpool().onSuccess(v -> go()).onFailure(e -> {
          finish();
          rc.fail(e);
        });
        return;
      }
      if (declared > 0 && !reserve(declared)) {
        return;
      }
      go();
    }

    private boolean reserve(long bytes) {
      if (!budget.tryReserve(bytes)) {
        fail503();
        return false;
      }
      reserved += bytes;
      return true;
    }

    private void fail503() {
      done = true;
      busy(rc);
      finish();
    }

    private void go() {
      // Only now, authenticated and within budget, is the client asked for its body.
      ExpectContinue.ask(request);
      request.handler(this::chunk);
      request.endHandler(v -> end());
      request.resume();
    }

    private void chunk(Buffer chunk) {
      if (done) {
        return;
      }
      received += chunk.length();
      if (received > limit) {
        done = true;
        tooLarge(rc, "body: larger than the limit of " + limit + " bytes");
        finish();
        return;
      }
      if (spool != null) {
        spool.write(chunk);
        if (spool.writeQueueFull()) {
          request.pause();
          spool.drainHandler(v -> request.resume());
        }
        return;
      }
      if (received > limits.bodySpoolThresholdBytes()) {
        // A chunked body outgrew memory: move what arrived so far to a spool file.
        Buffer sofar = memory.appendBuffer(chunk);
        memory = null;
        release();
        request.pause();
        openSpool().onSuccess(v -> {
          spool.write(sofar);
          request.resume();
        }).onFailure(e -> {
          done = true;
          finish();
          rc.fail(e);
        });
        return;
      }
      if (received > reserved && !reserve(received - reserved)) {
        return;
      }
      memory.appendBuffer(chunk);
    }

    private io.vertx.core.Future<Void> openSpool() {
      return vertx.fileSystem().createTempFile(limits.spoolDir().toString(), "body-", ".tmp", (String) null)
          .compose(path -> {
            spoolPath = Path.of(path);
            if (done) {
              deleteSpool();
              return io.vertx.core.Future.failedFuture("request ended");
            }
            return vertx.fileSystem().open(path, new OpenOptions().setWrite(true).setTruncateExisting(true));
          })
          .map(file -> {
            spool = file;
            // A write that fails (disk full) is the server's failure: 500, logged.
            file.exceptionHandler(e -> {
              if (!done) {
                done = true;
                finish();
                rc.fail(e);
              }
            });
            return null;
          });
    }

    private void end() {
      if (done) {
        return;
      }
      done = true;
      if (spool == null) {
        deliver(memory);
        return;
      }
      long size = received;
      spool.close().compose(v -> {
        spool = null;
        if (!reserve(size)) {
          return io.vertx.core.Future.succeededFuture((Buffer) null);
        }
        return readSpool(size);
      }).onComplete(ar -> {
        deleteSpool();
        if (ar.failed()) {
          finish();
          rc.fail(ar.cause());
        } else if (ar.result() != null) {
          deliver(ar.result());
        }
      });
    }

    /**
     * Reads the spool file in 64 KiB pieces into one heap buffer. Not {@code readFile}: the JDK
     * reads a whole file through a temporary direct buffer of its size and keeps that buffer
     * cached per thread, which exhausted a small heap's direct memory in the abuse test.
     */
    private io.vertx.core.Future<Buffer> readSpool(long size) {
      return vertx.fileSystem().open(spoolPath.toString(), new OpenOptions().setRead(true)).compose(file -> {
        io.vertx.core.Promise<Buffer> read = io.vertx.core.Promise.promise();
        Buffer body = Buffer.buffer((int) size);
        file.setReadBufferSize(64 << 10)
            .handler(body::appendBuffer)
            .exceptionHandler(read::tryFail)
            .endHandler(v -> read.tryComplete(body));
        return read.future().eventually(file::close);
      });
    }

    private void deliver(Buffer body) {
      rc.put(KEY, body);
      rc.next();
    }

    /** Frees what this request holds: its reservation (once), its spool file. */
    private void finish() {
      if (ended) {
        return;
      }
      ended = true;
      done = true;
      release();
      if (spool != null) {
        AsyncFile f = spool;
        spool = null;
        f.close().onComplete(x -> deleteSpool());
      } else {
        deleteSpool();
      }
    }

    private void release() {
      if (reserved > 0) {
        budget.release(reserved);
        reserved = 0;
      }
    }

    private void deleteSpool() {
      if (spoolPath != null) {
        Path p = spoolPath;
        spoolPath = null;
        vertx.fileSystem().delete(p.toString());
      }
    }
  }
}
