package dev.cairn.castore;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One upload into an {@link FsBlobService}. Bytes collect in a window of the maximum chunk size;
 * whenever the window is full, {@link FastCdc} picks a cut and the chunk is hashed and, if new,
 * written to tmp/. Memory per upload is therefore one window (1 MiB by default), whatever the
 * blob's size. {@link #close()} renames the new chunks into place, then writes the index.
 */
final class FsBlobWriter implements BlobWriter {
  private enum State { OPEN, CLOSED, ABORTED }

  private final FsBlobService store;
  private final byte[] window;
  private int fill;
  private final Blake3Hasher blobHasher = new Blake3Hasher();
  private long total;
  private final List<ChunkMeta> chunks = new ArrayList<>();
  /** New chunks of this upload, still under tmp/, by digest (filled by the chunk writer threads). */
  private final Map<B3Digest, Path> staged = new java.util.concurrent.ConcurrentHashMap<>();
  /** Every chunk cut so far, in order: hashed and written in the background. */
  private final List<java.util.concurrent.Future<ChunkMeta>> chunkOrder = new ArrayList<>();
  private State state = State.OPEN;
  /** Chunk files being written and fsynced in the background, oldest first. */
  private final java.util.ArrayDeque<java.util.concurrent.Future<ChunkMeta>> writing = new java.util.ArrayDeque<>();
  private static final int MAX_CHUNKS_WRITING = 4;
  private Future<?> tail = Future.succeededFuture();

  FsBlobWriter(FsBlobService store) {
    this.store = store;
    this.window = new byte[store.chunker().params().max()];
  }

  @Override
  public synchronized Future<Void> write(Buffer data) {
    if (state != State.OPEN) {
      return Future.failedFuture(new IllegalStateException("blob upload is already " + state.name().toLowerCase()));
    }
    byte[] bytes = data.getBytes();
    Future<Void> step = tail.compose(v -> store.blocking(() -> {
      absorb(bytes);
      return null;
    }));
    tail = step;
    return step;
  }

  @Override
  public synchronized Future<B3Digest> close() {
    if (state != State.OPEN) {
      return Future.failedFuture(new IllegalStateException("blob upload is already " + state.name().toLowerCase()));
    }
    state = State.CLOSED;
    Future<B3Digest> step = tail.compose(v -> store.blocking(this::finish));
    tail = step;
    return step;
  }

  @Override
  public synchronized Future<Void> abort() {
    if (state == State.ABORTED) {
      return tail.<Void>mapEmpty().recover(e -> Future.succeededFuture());
    }
    state = State.ABORTED;
    Future<Void> step = tail.<Void>mapEmpty()
        .recover(e -> Future.succeededFuture())
        .compose(v -> store.blocking(() -> {
          discard();
          return null;
        }));
    tail = step;
    return step;
  }

  // --- on the worker pool, one step at a time ---------------------------------------------

  private void absorb(byte[] bytes) throws IOException {
    try {
      blobHasher.update(bytes);
      total += bytes.length;
      int pos = 0;
      while (pos < bytes.length) {
        int n = Math.min(window.length - fill, bytes.length - pos);
        System.arraycopy(bytes, pos, window, fill, n);
        fill += n;
        pos += n;
        if (fill == window.length) {
          cutChunk();
        }
      }
    } catch (IOException | RuntimeException e) {
      discard();
      throw e;
    }
  }

  private B3Digest finish() throws IOException {
    try {
      while (fill > 0) {
        cutChunk();
      }
      B3Digest digest = blobHasher.digest();
      drainWrites();
      for (java.util.concurrent.Future<ChunkMeta> meta : chunkOrder) {
        chunks.add(awaitWrite(meta));
      }
      if (chunks.isEmpty()) {
        writeIfNew(digest, new byte[0]);
        chunks.add(new ChunkMeta(digest, 0));
      }
      commit(digest);
      return digest;
    } catch (IOException | RuntimeException e) {
      discard();
      throw e;
    }
  }

  /**
   * Cuts the next chunk off the window. Its BLAKE3 and its file are computed on a chunk writer
   * thread, in parallel with this upload's blob hashing (the two digests are independent).
   */
  private void cutChunk() throws IOException {
    int length = store.chunker().cut(window, 0, fill);
    // A blob that is one chunk has the chunk's digest: hash it once.
    boolean wholeBlob = state == State.CLOSED && chunkOrder.isEmpty() && length == total;
    B3Digest known = wholeBlob ? blobHasher.digest() : null;
    byte[] copy = java.util.Arrays.copyOfRange(window, 0, length);
    java.util.concurrent.Future<ChunkMeta> meta = store.writeChunkAsync(() -> {
      B3Digest digest = known != null ? known : Blake3Hasher.hash(copy);
      writeIfNew(digest, copy);
      return new ChunkMeta(digest, copy.length);
    });
    chunkOrder.add(meta);
    writing.add(meta);
    while (writing.size() > MAX_CHUNKS_WRITING) {
      awaitWrite(writing.poll());
    }
    System.arraycopy(window, length, window, 0, fill - length);
    fill -= length;
  }

  /** Writes a chunk under tmp/ unless it is stored already or staged by this upload (dedup). */
  private void writeIfNew(B3Digest digest, byte[] data) throws IOException {
    if (Files.exists(store.chunkPath(digest))) {
      return;
    }
    Path temp = store.newTempFile("chunk");
    if (staged.putIfAbsent(digest, temp) != null) {
      return;
    }
    ChunkFile.write(temp, data, 0, data.length, store.zstdLevel());
  }

  private static <T> T awaitWrite(java.util.concurrent.Future<T> write) throws IOException {
    try {
      return write.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while writing a chunk", e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause());
    }
  }

  /** Waits until every staged chunk is written and fsynced (or failed). */
  private void drainWrites() throws IOException {
    IOException first = null;
    while (!writing.isEmpty()) {
      try {
        awaitWrite(writing.poll());
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private void commit(B3Digest digest) throws IOException {
    drainWrites();
    TreeSet<Path> touched = new TreeSet<>();
    for (Map.Entry<B3Digest, Path> e : staged.entrySet()) {
      Path target = store.chunkPath(e.getKey());
      Files.move(e.getValue(), target, StandardCopyOption.ATOMIC_MOVE);
      touched.add(target.getParent());
    }
    staged.clear();
    for (Path dir : touched) {
      FsBlobService.fsyncDirectory(dir);
    }
    if (chunks.size() > 1) {
      Path temp = store.newTempFile("index");
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(BlobIndex.encode(total, chunks));
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      } catch (IOException e) {
        Files.deleteIfExists(temp);
        throw e;
      }
      Path target = store.blobPath(digest);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      FsBlobService.fsyncDirectory(target.getParent());
    }
  }

  private void discard() {
    try {
      drainWrites();
    } catch (IOException ignored) {
      // the files are removed below either way
    }
    for (Path temp : staged.values()) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // startup cleanup of tmp/ removes it
      }
    }
    staged.clear();
  }
}
