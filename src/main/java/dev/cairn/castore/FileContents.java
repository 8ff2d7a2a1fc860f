package dev.cairn.castore;

import java.io.IOException;
import java.util.Optional;

/**
 * A file node's contents streamed from the blob service a piece at a time, checked against the
 * node's size: what every renderer of castore trees (NAR, tar layers) writes for a file.
 * Blocking: call from a renderer's own pool.
 */
public final class FileContents {
  private static final int PIECE = 1 << 17;

  /** Where the pieces go. */
  public interface Sink {
    void accept(byte[] piece) throws IOException;
  }

  private FileContents() {}

  /** Streams the file's blob into {@code sink}; {@code where} names the file in errors. */
  public static void stream(BlobService blobs, FileNode file, String where, Sink sink) throws IOException {
    stream(blobs, file, 0, where, sink);
  }

  /** As {@link #stream(BlobService, FileNode, String, Sink)}, from byte {@code offset} of the file on. */
  public static void stream(BlobService blobs, FileNode file, long offset, String where, Sink sink) throws IOException {
    Optional<BlobReader> reader = Await.result(offset == 0 ? blobs.open(file.digest()) : blobs.open(file.digest(), offset, Long.MAX_VALUE));
    if (reader.isEmpty()) {
      throw new IncompleteTreeException("blob " + file.digest() + " of " + where + " is missing from the blob store");
    }
    try {
      BlobReader r = reader.get();
      if (offset + r.length() != file.size()) {
        throw new IncompleteTreeException("blob " + file.digest() + " has " + (offset + r.length()) + " bytes, the file node says " + file.size());
      }
      while (r.remaining() > 0) {
        sink.accept(Await.result(r.read(PIECE)).getBytes());
      }
    } finally {
      reader.get().close();
    }
  }
}
