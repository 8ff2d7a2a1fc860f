package dev.cairn.castore.chunked;

import dev.cairn.castore.Buffers;
import dev.cairn.castore.B3Digest;
import dev.cairn.castore.BlobReader;
import dev.cairn.castore.ChunkMeta;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Reads a byte range of a blob one verified chunk at a time, with the next chunks of the range
 * loading (read, then hashed on the CPU pool, each chunk its own task) while the consumer takes
 * the current one: this hides the store's latency (a file read, an S3 round trip) and spreads
 * verification over the cores. Loading starts when the reader is opened, so a renderer that
 * opens the next files' readers ahead overlaps their reads with its own writing.
 *
 * <p>Memory: chunks are loaded while the bytes loaded and not yet handed out stay below
 * {@link #WINDOW} (at least one chunk is always loading). Pieces handed out are views of the
 * loaded chunk, not copies. A chunk that fails verification fails the read before any of its
 * bytes are handed out (see {@link ChunkVerifier}).
 *
 * <p>Chunk arrays go back to the verifier's buffers when no view of them can be left: a chunk
 * whose pieces were all handed out by {@link #readTransient}, once the consumer asks for more
 * (or closes), and chunks loaded but never handed out, on close. A chunk any piece of which went
 * out by {@link #read} is left to the garbage collector: the consumer may keep that piece.
 */
final class ChunkedBlobReader implements BlobReader {
  /** Bytes loaded ahead of the consumer, per reader. */
  static final long WINDOW = 4 << 20;

  private final ChunkVerifier verifier;
  private final B3Digest blob;
  private final List<ChunkMeta> chunks;
  private final long length;
  /** One past the last chunk the range needs. */
  private final int endChunk;
  private final ArrayDeque<Future<ByteBuffer>> loading = new ArrayDeque<>();
  private long loadingBytes;
  private long remaining;
  private int nextToLoad;
  private int skipInFirst;
  private ByteBuffer current;
  /** Whether a piece of {@code current} went out by {@link #read} (may be kept). */
  private boolean currentKept;
  /** A chunk all handed out transiently, its last piece still with the consumer. */
  private ByteBuffer lastLent;
  private boolean closed;

  ChunkedBlobReader(ChunkVerifier verifier, B3Digest blob, List<ChunkMeta> chunks, long offset, long length) {
    this.verifier = verifier;
    this.blob = blob;
    this.chunks = chunks;
    this.length = length;
    this.remaining = length;
    long start = 0;
    int i = 0;
    while (i < chunks.size() - 1 && start + chunks.get(i).size() <= offset) {
      start += chunks.get(i).size();
      i++;
    }
    this.nextToLoad = i;
    this.skipInFirst = (int) (offset - start);
    int end = i;
    long covered = start;
    while (end < chunks.size() && covered < offset + length) {
      covered += chunks.get(end).size();
      end++;
    }
    this.endChunk = length == 0 ? i : end;
    synchronized (this) {
      fill();
    }
  }

  @Override
  public long length() {
    return length;
  }

  @Override
  public synchronized long remaining() {
    return remaining;
  }

  @Override
  public Future<Buffer> read(int maxBytes) {
    return next(maxBytes, false);
  }

  @Override
  public Future<Buffer> readTransient(int maxBytes) {
    return next(maxBytes, true);
  }

  private synchronized Future<Buffer> next(int maxBytes, boolean transient_) {
    releaseLastLent();
    if (maxBytes <= 0) {
      return Future.failedFuture(new IllegalArgumentException("maxBytes must be positive: " + maxBytes));
    }
    if (closed) {
      return Future.failedFuture(new IllegalStateException("reader of blob " + blob + " is closed"));
    }
    if (remaining == 0) {
      return Future.succeededFuture(Buffer.buffer());
    }
    if (current != null) {
      return Future.succeededFuture(slice(maxBytes, transient_));
    }
    Future<ByteBuffer> next = loading.poll();
    if (next == null) {
      return Future.failedFuture(new IllegalStateException("reader of blob " + blob + " has nothing left to load"));
    }
    return next.map(bytes -> {
      synchronized (this) {
        loadingBytes -= bytes.remaining();
        current = bytes;
        currentKept = closed; // closed meanwhile: no longer ours to recycle
        current.position(current.position() + skipInFirst);
        skipInFirst = 0;
        fill();
        return slice(maxBytes, transient_);
      }
    });
  }

  /** Starts loading chunks of the range until the window is full. */
  private void fill() {
    while (!closed && nextToLoad < endChunk && (loading.isEmpty() || loadingBytes + chunks.get(nextToLoad).size() <= WINDOW)) {
      ChunkMeta chunk = chunks.get(nextToLoad++);
      loadingBytes += chunk.size();
      loading.add(verifier.read(chunk, blob));
    }
  }

  private Buffer slice(int maxBytes, boolean transient_) {
    int n = (int) Math.min(Math.min(maxBytes, current.remaining()), remaining);
    ByteBuffer piece = current.slice();
    piece.limit(n);
    current.position(current.position() + n);
    remaining -= n;
    currentKept |= !transient_;
    if (!current.hasRemaining() || remaining == 0) {
      if (!currentKept) {
        lastLent = current;
      }
      current = null;
    }
    return Buffers.wrap(piece);
  }

  private void releaseLastLent() {
    if (lastLent != null) {
      verifier.release(lastLent);
      lastLent = null;
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    releaseLastLent();
    if (current != null && !currentKept) {
      verifier.release(current);
    }
    current = null;
    for (Future<ByteBuffer> unread : loading) {
      unread.onSuccess(verifier::release);
    }
    loading.clear();
    loadingBytes = 0;
  }
}
