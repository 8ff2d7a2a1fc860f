package dev.cairn.castore.chunked;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.BlobCorruptedException;
import dev.cairn.castore.BlobReader;
import dev.cairn.castore.ChunkMeta;
import dev.cairn.castore.chunks.ChunkCodec;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.logging.Logger;

/**
 * Reads a byte range of a blob one verified chunk at a time, fetching the next chunk while the
 * consumer takes the current one (hides the store's latency: an fsync-free file read, or an S3
 * round trip). Memory is two chunks. A chunk whose bytes do not hash to its digest fails the
 * read before any of its bytes are handed out, and is deleted from the store so that uploading
 * the same content again stores it anew (the repair path).
 */
final class ChunkedBlobReader implements BlobReader {
  private static final Logger LOG = Logger.getLogger("cairn.castore");

  private final ChunkedBlobService service;
  private final B3Digest blob;
  private final List<ChunkMeta> chunks;
  private final long length;
  private long remaining;
  private int nextChunk;
  private int skipInNextChunk;
  private byte[] current;
  private int position;
  private Future<byte[]> prefetch;
  private boolean closed;

  ChunkedBlobReader(ChunkedBlobService service, B3Digest blob, List<ChunkMeta> chunks, long offset, long length) {
    this.service = service;
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
    this.nextChunk = i;
    this.skipInNextChunk = (int) (offset - start);
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
  public synchronized Future<Buffer> read(int maxBytes) {
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
      return Future.succeededFuture(slice(maxBytes));
    }
    Future<byte[]> loading = prefetch != null ? prefetch : load(chunks.get(nextChunk));
    prefetch = null;
    return loading.map(bytes -> {
      synchronized (this) {
        current = bytes;
        position = skipInNextChunk;
        skipInNextChunk = 0;
        nextChunk++;
        long afterThis = remaining - (bytes.length - position);
        if (afterThis > 0 && nextChunk < chunks.size() && !closed) {
          prefetch = load(chunks.get(nextChunk));
        }
        return slice(maxBytes);
      }
    });
  }

  private Future<byte[]> load(ChunkMeta chunk) {
    B3Digest digest = chunk.digest();
    return service.chunks().get(digest).compose(stored -> {
      if (stored.isEmpty()) {
        return Future.failedFuture(new BlobCorruptedException("chunk " + digest + " of blob " + blob + " is missing"));
      }
      return service.onCpu(() -> ChunkCodec.decodeVerified(digest, stored.get().getBytes()))
          .recover(e -> e instanceof BlobCorruptedException ? deleteCorrupted(digest, e) : Future.failedFuture(e));
    }).map(raw -> {
      if (raw.length != chunk.size()) {
        throw new BlobCorruptedException("chunk " + digest + " of blob " + blob + " has "
            + raw.length + " bytes, its index says " + chunk.size());
      }
      return raw;
    });
  }

  private Future<byte[]> deleteCorrupted(B3Digest digest, Throwable e) {
    LOG.severe(e.getMessage() + " (blob " + blob + "); deleting it so that uploading the blob again repairs it");
    return service.chunks().delete(digest).transform(ignored -> Future.failedFuture(e));
  }

  private Buffer slice(int maxBytes) {
    int n = (int) Math.min(Math.min(maxBytes, current.length - position), remaining);
    Buffer piece = Buffer.buffer(n).appendBytes(current, position, n);
    position += n;
    remaining -= n;
    if (position == current.length || remaining == 0) {
      current = null;
    }
    return piece;
  }

  @Override
  public synchronized void close() {
    closed = true;
    current = null;
    prefetch = null;
  }
}
