package dev.cairn.castore.chunked;

import dev.cairn.castore.Buffers;
import dev.cairn.castore.Buffers.Bytes;
import dev.cairn.castore.B3Digest;
import dev.cairn.castore.Blake3Hasher;
import dev.cairn.castore.BlobWriter;
import dev.cairn.castore.ChunkMeta;
import dev.cairn.castore.chunks.ChunkCodec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One upload into a {@link ChunkedBlobService}. Each write's bytes go down two independent
 * sequences of pool tasks, so that on a multi-core machine they run side by side: one feeds the
 * blob digest, the other collects a window of the maximum chunk size and, whenever it holds that
 * much and more is coming, lets FastCDC pick a cut. Each cut chunk is then hashed and encoded by
 * one CPU task and stored (unless the store has it: dedup) by one store task, at most
 * {@code chunkPutsPerUpload} at a time. Memory per upload is therefore bounded by one window plus
 * the chunks in flight, whatever the size; full-size windows and chunk arrays come from the
 * service's pools and go back once stored.
 *
 * <p>Every byte is hashed as few times as the format allows: a blob that turns out to be one
 * chunk (every blob up to the minimum chunk size, and any blob up to the maximum that FastCDC
 * does not cut) is that chunk, so its chunk digest is the blob digest and is not computed
 * again; a blob of several chunks needs both, on different threads. The window is cut lazily
 * (only when more bytes must go in), so a blob of exactly the maximum size that is one chunk is
 * recognised as such too.
 *
 * <p>{@link #close()} waits for the chunks, then commits the index rows (in a group commit with
 * other uploads): only then is the blob visible.
 */
final class ChunkedBlobWriter implements BlobWriter {
  private enum State { OPEN, CLOSED, ABORTED }

  /** The window's first size; it doubles from there as a blob needs it. */
  private static final int INITIAL_WINDOW = 1 << 16;

  private final ChunkedBlobService service;
  private final long startedMillis = System.currentTimeMillis();
  private final int max;
  /**
   * Bytes not yet cut are {@code [start, start+fill)}. Starts small and doubles only as a blob
   * needs it, up to twice the maximum chunk (then compacted rarely): a small file does not
   * allocate (and zero) a window of the maximum size.
   */
  private byte[] window;
  private int start;
  private int fill;
  private final Blake3Hasher blobHasher = new Blake3Hasher();
  private long total;
  /** A chunk as cut: its bytes are {@code framed[HEADER, HEADER + length)}, a pooled array. */
  private record Cut(byte[] framed, int length) {}

  /** Every chunk cut so far, in blob order. */
  private final List<Future<ChunkMeta>> order = new ArrayList<>();
  /** Chunks still being hashed or stored, oldest first. */
  private final ArrayDeque<Future<ChunkMeta>> inFlight = new ArrayDeque<>();
  private State state = State.OPEN;
  /** The last step of the blob-digest sequence. */
  private Future<?> hashTail = Future.succeededFuture();
  /** The last step of the window/cut sequence. */
  private Future<?> cutTail = Future.succeededFuture();

  ChunkedBlobWriter(ChunkedBlobService service) {
    this.service = service;
    this.max = service.chunker().params().max();
    this.window = new byte[Math.min(INITIAL_WINDOW, 2 * max)];
  }

  @Override
  public synchronized Future<Void> write(Buffer data) {
    if (state != State.OPEN) {
      return Future.failedFuture(new IllegalStateException("blob upload is already " + state.name().toLowerCase()));
    }
    // The buffer is the caller's to hand over (Vert.x streams do not reuse a written buffer).
    Bytes bytes = Buffers.bytes(data);
    Future<?> hashed = hashTail.compose(v -> service.onCpu(() -> {
      blobHasher.update(bytes.array(), bytes.offset(), bytes.length());
      return null;
    }));
    hashTail = hashed;
    Future<Void> cut = cutTail.compose(v -> service.onCpu(() -> absorb(bytes)))
        .compose(chunks -> storeAll(chunks, null));
    cutTail = cut;
    return Future.all(hashed, cut).compose(v -> backPressure());
  }

  @Override
  public synchronized Future<B3Digest> close() {
    if (state != State.OPEN) {
      return Future.failedFuture(new IllegalStateException("blob upload is already " + state.name().toLowerCase()));
    }
    state = State.CLOSED;
    Future<B3Digest> blobDigest = hashTail.compose(v -> service.onCpu(blobHasher::digest));
    hashTail = blobDigest;
    Future<Void> cut = cutTail.compose(v -> service.onCpu(this::cutRest))
        .compose(chunks -> storeAll(chunks, order.isEmpty() && chunks.size() == 1 ? blobDigest : null));
    Future<B3Digest> committed = Future.all(blobDigest, cut)
        .compose(v -> Future.all(new ArrayList<>(order)))
        .compose(v -> commit(blobDigest.result()));
    cutTail = committed;
    return committed;
  }

  @Override
  public synchronized Future<Void> abort() {
    // Chunks already stored stay unreferenced until garbage collection removes them.
    state = State.ABORTED;
    return Future.join(hashTail, cutTail).<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  /** Adds {@code bytes} to the window, cutting whenever it holds a maximum chunk and more must go in. */
  private List<Cut> absorb(Bytes bytes) {
    List<Cut> cut = new ArrayList<>();
    total += bytes.length();
    int pos = 0;
    while (pos < bytes.length()) {
      if (fill == max) {
        cut.add(cutChunk());
      }
      if (start + fill == window.length) {
        int grown = Math.min(2 * window.length, 2 * max);
        byte[] to = window.length == 2 * max ? window : grown == 2 * max ? service.windows().take() : new byte[grown];
        System.arraycopy(window, start, to, 0, fill);
        window = to;
        start = 0;
      }
      int n = Math.min(Math.min(max - fill, window.length - start - fill), bytes.length() - pos);
      System.arraycopy(bytes.array(), bytes.offset() + pos, window, start + fill, n);
      fill += n;
      pos += n;
    }
    return cut;
  }

  /** Cuts what is left at the end of the blob. */
  private List<Cut> cutRest() {
    List<Cut> cut = new ArrayList<>();
    while (fill > 0) {
      cut.add(cutChunk());
    }
    service.windows().give(window);
    window = null;
    return cut;
  }

  /**
   * The next chunk, framed: its bytes start at {@link ChunkCodec#HEADER}, leaving room for the
   * stored form's header so that a raw chunk is stored without another copy.
   */
  private Cut cutChunk() {
    int length = service.chunker().cut(window, start, fill);
    byte[] framed = service.chunkArrays().take();
    System.arraycopy(window, start, framed, ChunkCodec.HEADER, length);
    start += length;
    fill -= length;
    if (fill == 0) {
      start = 0;
    }
    return new Cut(framed, length);
  }

  /** Starts hashing and storing each chunk; {@code wholeBlob} is its digest when the blob is that one chunk. */
  private Future<Void> storeAll(List<Cut> cut, Future<B3Digest> wholeBlob) {
    for (Cut chunk : cut) {
      Future<Encoded> encoded = wholeBlob != null
          ? wholeBlob.compose(d -> service.onCpu(() -> encode(d, chunk)))
          : service.onCpu(() -> encode(new Blake3Hasher().update(chunk.framed(), ChunkCodec.HEADER, chunk.length()).digest(), chunk));
      // A promise, not the composed future: a composition keeps its functions (and so the
      // chunk's bytes) reachable for as long as it is, and every future here lives until close.
      Promise<ChunkMeta> done = Promise.promise();
      encoded.compose(this::store).onComplete(done);
      Future<ChunkMeta> stored = done.future();
      synchronized (this) {
        order.add(stored);
        inFlight.add(stored);
      }
    }
    return Future.succeededFuture();
  }

  /** A chunk's digest, its cut bytes and their stored form (possibly a view of them). */
  private record Encoded(B3Digest digest, Cut cut, ByteBuffer stored) {}

  /**
   * Encoded in the task that hashed it, before the store is asked whether it has the chunk: one
   * hop fewer per chunk (hash, then check-and-write in one store task) at the price of
   * compressing a chunk the store turns out to have when zstd is on (nothing to encode when off).
   */
  private Encoded encode(B3Digest digest, Cut cut) {
    return new Encoded(digest, cut, ChunkCodec.encodeFramed(cut.framed(), cut.length(), service.options().zstdLevel()));
  }

  /** Stores the chunk, then gives its array back (only on success: a failed put may still be reading it). */
  private Future<ChunkMeta> store(Encoded chunk) {
    return service.chunks().putIfAbsent(chunk.digest(), Buffers.wrap(chunk.stored()))
        .map(v -> {
          service.chunkArrays().give(chunk.cut().framed());
          return new ChunkMeta(chunk.digest(), chunk.cut().length());
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

  private Future<B3Digest> commit(B3Digest digest) {
    List<ChunkMeta> chunks = new ArrayList<>(order.size());
    for (Future<ChunkMeta> f : order) {
      chunks.add(f.result());
    }
    Future<List<ChunkMeta>> parts;
    if (chunks.isEmpty()) {
      // The empty blob is one empty chunk, stored like any other.
      parts = store(encode(digest, new Cut(new byte[ChunkCodec.HEADER], 0))).map(List::of);
    } else {
      parts = Future.succeededFuture(chunks);
    }
    return parts.compose(list -> service.index().commit(digest, total, list, startedMillis)).map(digest);
  }
}
