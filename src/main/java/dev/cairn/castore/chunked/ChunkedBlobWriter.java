package dev.cairn.castore.chunked;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.Blake3Hasher;
import dev.cairn.castore.BlobWriter;
import dev.cairn.castore.ChunkMeta;
import dev.cairn.castore.chunks.ChunkCodec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One upload into a {@link ChunkedBlobService}. Bytes collect in a window of the maximum chunk
 * size; whenever it is full, FastCDC picks a cut. The blob digest is computed on the upload's
 * own sequence of pool tasks while each cut chunk is hashed, encoded and stored (unless the
 * store has it: dedup) by tasks of its own, at most {@code chunkPutsPerUpload} at a time. Memory
 * per upload is therefore bounded by one window plus the chunks in flight, whatever the size.
 * {@link #close()} waits for the chunks, then commits the index rows: only then is the blob visible.
 */
final class ChunkedBlobWriter implements BlobWriter {
  private enum State { OPEN, CLOSED, ABORTED }

  private final ChunkedBlobService service;
  private final long startedMillis = System.currentTimeMillis();
  private final byte[] window;
  private int fill;
  private final Blake3Hasher blobHasher = new Blake3Hasher();
  private long total;
  /** Every chunk cut so far, in blob order. */
  private final List<Future<ChunkMeta>> order = new ArrayList<>();
  /** Chunks still being hashed or stored, oldest first. */
  private final ArrayDeque<Future<ChunkMeta>> inFlight = new ArrayDeque<>();
  /** Set when the whole blob is one chunk: its digest is the chunk's, hashed once. */
  private volatile B3Digest wholeBlobDigest;
  private State state = State.OPEN;
  private Future<?> tail = Future.succeededFuture();

  ChunkedBlobWriter(ChunkedBlobService service) {
    this.service = service;
    this.window = new byte[service.chunker().params().max()];
  }

  @Override
  public synchronized Future<Void> write(Buffer data) {
    if (state != State.OPEN) {
      return Future.failedFuture(new IllegalStateException("blob upload is already " + state.name().toLowerCase()));
    }
    byte[] bytes = data.getBytes();
    Future<Void> step = tail.compose(v -> service.onCpu(() -> absorb(bytes, false)))
        .compose(this::storeAll)
        .compose(v -> backPressure());
    tail = step;
    return step;
  }

  @Override
  public synchronized Future<B3Digest> close() {
    if (state != State.OPEN) {
      return Future.failedFuture(new IllegalStateException("blob upload is already " + state.name().toLowerCase()));
    }
    state = State.CLOSED;
    Future<B3Digest> step = tail.compose(v -> service.onCpu(() -> {
          List<byte[]> cut = absorb(new byte[0], true);
          if (order.isEmpty() && cut.size() == 1) {
            wholeBlobDigest = blobHasher.digest();
          }
          return cut;
        }))
        .compose(this::storeAll)
        .compose(v -> Future.all(new ArrayList<>(order)))
        .compose(v -> commit());
    tail = step;
    return step;
  }

  @Override
  public synchronized Future<Void> abort() {
    // Chunks already stored stay unreferenced until garbage collection removes them.
    state = State.ABORTED;
    return tail.<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  /** Hashes {@code bytes} into the blob digest and cuts every full window (all of it at the end). */
  private List<byte[]> absorb(byte[] bytes, boolean last) {
    List<byte[]> cut = new ArrayList<>();
    blobHasher.update(bytes);
    total += bytes.length;
    int pos = 0;
    while (pos < bytes.length) {
      int n = Math.min(window.length - fill, bytes.length - pos);
      System.arraycopy(bytes, pos, window, fill, n);
      fill += n;
      pos += n;
      if (fill == window.length) {
        cut.add(cutChunk());
      }
    }
    while (last && fill > 0) {
      cut.add(cutChunk());
    }
    return cut;
  }

  private byte[] cutChunk() {
    int length = service.chunker().cut(window, 0, fill);
    byte[] chunk = Arrays.copyOfRange(window, 0, length);
    System.arraycopy(window, length, window, 0, fill - length);
    fill -= length;
    return chunk;
  }

  private Future<Void> storeAll(List<byte[]> cut) {
    for (byte[] chunk : cut) {
      B3Digest known = wholeBlobDigest;
      Future<B3Digest> digest = known != null ? Future.succeededFuture(known) : service.onCpu(() -> Blake3Hasher.hash(chunk));
      // A promise, not the composed future: a composition keeps its functions (and so the
      // chunk's bytes) reachable for as long as it is, and every future here lives until close.
      Promise<ChunkMeta> done = Promise.promise();
      digest.compose(d -> store(d, chunk)).onComplete(done);
      Future<ChunkMeta> stored = done.future();
      synchronized (this) {
        order.add(stored);
        inFlight.add(stored);
      }
    }
    return Future.succeededFuture();
  }

  private Future<ChunkMeta> store(B3Digest digest, byte[] chunk) {
    ChunkMeta meta = new ChunkMeta(digest, chunk.length);
    return service.chunks().has(digest).compose(present -> {
      if (present) {
        return Future.succeededFuture(meta);
      }
      return service.onCpu(() -> ChunkCodec.encode(chunk, 0, chunk.length, service.options().zstdLevel()))
          .compose(encoded -> service.chunks().put(digest, Buffer.buffer(encoded)))
          .map(meta);
    });
  }

  /** Completes once no more than the allowed number of chunks are in flight. */
  private Future<Void> backPressure() {
    List<Future<ChunkMeta>> waitFor = new ArrayList<>();
    synchronized (this) {
      while (inFlight.size() > service.options().chunkPutsPerUpload()) {
        waitFor.add(inFlight.poll());
      }
      inFlight.removeIf(Future::isComplete);
    }
    return Future.all(waitFor).mapEmpty();
  }

  private Future<B3Digest> commit() {
    B3Digest digest = wholeBlobDigest != null ? wholeBlobDigest : blobHasher.digest();
    List<ChunkMeta> chunks = new ArrayList<>(order.size());
    for (Future<ChunkMeta> f : order) {
      chunks.add(f.result());
    }
    Future<List<ChunkMeta>> parts;
    if (chunks.isEmpty()) {
      // The empty blob is one empty chunk, stored like any other.
      parts = store(digest, new byte[0]).map(List::of);
    } else {
      parts = Future.succeededFuture(chunks);
    }
    return parts.compose(list -> service.index().commit(digest, total, list, startedMillis)).map(digest);
  }
}
