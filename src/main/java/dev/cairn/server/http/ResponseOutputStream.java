package dev.cairn.server.http;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * An {@link OutputStream} for a blocking producer on a worker thread (the NAR renderer) that
 * writes to an HTTP response with back-pressure: at most {@code maxInFlight} bytes are handed to
 * the response and not yet written to the socket; beyond that, {@link #write} waits. A slow
 * client therefore holds back the renderer instead of filling the heap, and a client that goes
 * away (or stalls longer than the timeout) makes the next write fail with an IOException.
 *
 * <p>Writes are collected into pieces of {@code pieceSize} bytes, then sent on the response's
 * context. {@link #close} sends the rest and ends the response.
 */
public final class ResponseOutputStream extends OutputStream {
  private final HttpServerResponse response;
  private final Context context;
  private final Semaphore room;
  private final int pieceSize;
  private final long stallMillis;
  private Buffer piece;
  private volatile Throwable failure;
  private boolean closed;

  public ResponseOutputStream(HttpServerResponse response, Context context, int maxInFlight, int pieceSize, long stallMillis) {
    if (pieceSize > maxInFlight) {
      throw new IllegalArgumentException("pieceSize " + pieceSize + " exceeds maxInFlight " + maxInFlight);
    }
    this.response = response;
    this.context = context;
    this.room = new Semaphore(maxInFlight);
    this.pieceSize = pieceSize;
    this.stallMillis = stallMillis;
    this.piece = Buffer.buffer(pieceSize);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    check();
    while (len > 0) {
      int n = Math.min(len, pieceSize - piece.length());
      piece.appendBytes(b, off, n);
      off += n;
      len -= n;
      if (piece.length() == pieceSize) {
        send();
      }
    }
  }

  @Override
  public void flush() throws IOException {
    check();
    if (piece.length() > 0) {
      send();
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    flush();
    closed = true;
    context.runOnContext(v -> {
      if (failure == null) {
        response.end();
      }
    });
  }

  private void send() throws IOException {
    Buffer out = piece;
    int size = out.length();
    piece = Buffer.buffer(pieceSize);
    try {
      if (!room.tryAcquire(size, stallMillis, TimeUnit.MILLISECONDS)) {
        failure = new IOException("the client has not read for " + stallMillis + " ms");
        context.runOnContext(v -> response.reset());
        throw (IOException) failure;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the client");
    }
    context.runOnContext(v -> {
      if (failure != null) {
        room.release(size);
        return;
      }
      response.write(out).onComplete(ar -> {
        if (ar.failed() && failure == null) {
          failure = ar.cause();
        }
        room.release(size);
      });
    });
  }

  private void check() throws IOException {
    Throwable f = failure;
    if (f != null) {
      throw f instanceof IOException io ? io : new IOException(f);
    }
    if (closed) {
      throw new IOException("stream closed");
    }
  }
}
