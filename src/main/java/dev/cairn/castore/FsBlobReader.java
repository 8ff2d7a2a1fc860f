package dev.cairn.castore;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.file.NoSuchFileException;
import java.util.List;

/**
 * Reads a byte range of a blob from an {@link FsBlobService}, one verified chunk at a time:
 * memory is one chunk, and a chunk whose bytes do not hash to its digest fails the read
 * before any of its bytes are handed out.
 */
final class FsBlobReader implements BlobReader {
  private final FsBlobService store;
  private final B3Digest blob;
  private final List<ChunkMeta> chunks;
  private final long length;
  private long remaining;
  private int nextChunk;
  private int skipInNextChunk;
  private byte[] current;
  private int position;
  private boolean closed;

  FsBlobReader(FsBlobService store, B3Digest blob, List<ChunkMeta> chunks, long offset, long length) {
    this.store = store;
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
    ChunkMeta chunk = chunks.get(nextChunk);
    return store.blocking(() -> load(chunk)).map(bytes -> {
      synchronized (this) {
        current = bytes;
        position = skipInNextChunk;
        skipInNextChunk = 0;
        nextChunk++;
        return slice(maxBytes);
      }
    });
  }

  private byte[] load(ChunkMeta chunk) throws Exception {
    byte[] bytes;
    try {
      bytes = ChunkFile.readVerified(store.chunkPath(chunk.digest()), chunk.digest());
    } catch (NoSuchFileException e) {
      throw new BlobCorruptedException("chunk " + chunk.digest() + " of blob " + blob + " is missing", e);
    }
    if (bytes.length != chunk.size()) {
      throw new BlobCorruptedException("chunk " + chunk.digest() + " of blob " + blob + " has "
          + bytes.length + " bytes, its index says " + chunk.size());
    }
    return bytes;
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
  }
}
