package dev.cairn.castore;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.Optional;

/**
 * A file node's contents streamed from the blob service a piece at a time, checked against the
 * node's size: what every renderer of castore trees (NAR, tar layers) writes for a file.
 * Pieces are views of the verified chunk bytes the reader holds (no copy); a sink must not keep
 * them. Blocking: call from a renderer's own pool.
 */
public final class FileContents {
  /** Larger than any chunk: a piece is the rest of the current chunk. */
  private static final int PIECE = 4 << 20;

  /** Where the pieces go. */
  public interface Sink {
    void accept(byte[] bytes, int offset, int length) throws IOException;
  }

  private FileContents() {}

  /** Streams the file's blob into {@code sink}; {@code where} names the file in errors. */
  public static void stream(BlobService blobs, FileNode file, String where, Sink sink) throws IOException {
    stream(blobs, file, 0, where, sink);
  }

  /** As {@link #stream(BlobService, FileNode, String, Sink)}, from byte {@code offset} of the file on. */
  public static void stream(BlobService blobs, FileNode file, long offset, String where, Sink sink) throws IOException {
    drain(offset == 0 ? blobs.open(file.digest()) : blobs.open(file.digest(), offset, Long.MAX_VALUE), file, offset, where, sink);
  }

  /**
   * As {@link #stream(BlobService, FileNode, long, String, Sink)} from a reader opened already
   * ({@code opening}: {@code open(file.digest(), offset, ...)} to the end), e.g. ahead of time.
   */
  static void drain(Future<Optional<BlobReader>> opening, FileNode file, long offset, String where, Sink sink) throws IOException {
    Optional<BlobReader> reader = Await.result(opening);
    if (reader.isEmpty()) {
      throw new IncompleteTreeException("blob " + file.digest() + " of " + where + " is missing from the blob store");
    }
    try {
      BlobReader r = reader.get();
      if (offset + r.length() != file.size()) {
        throw new IncompleteTreeException("blob " + file.digest() + " has " + (offset + r.length()) + " bytes, the file node says " + file.size());
      }
      while (r.remaining() > 0) {
        Future<Buffer> next = r.readTransient(PIECE); // the sink keeps no piece
        Buffer piece = next.isComplete() && next.succeeded() ? next.result() : Await.result(next);
        Buffers.Bytes bytes = Buffers.bytes(piece);
        sink.accept(bytes.array(), bytes.offset(), bytes.length());
      }
    } finally {
      reader.get().close();
    }
  }
}
