package dev.cairn.castore;

import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;

/**
 * Opens the readers of the files a renderer will write next, before it reaches them, so reading
 * and verifying their chunks overlaps with writing the current file (a tree of many small files
 * would otherwise wait for one index lookup and one chunk read per file, in turn). Bounded: at
 * most {@link #MAX_FILES} readers ahead, and the bytes they may load ahead (each at most its
 * reader's window) stay below {@link #MAX_BYTES}; the file being written is not counted.
 * One per rendering, used from the rendering's thread.
 */
final class BlobReadAhead implements AutoCloseable {
  /** Bytes readers ahead of the current file may load. */
  static final long MAX_BYTES = 16 << 20;
  static final int MAX_FILES = 256;
  /** What one reader loads ahead at most (the chunked reader's window; an estimate for others). */
  private static final long READER_WINDOW = 4 << 20;

  /** A file the renderer will write, from byte {@code offset} of it on. */
  record Planned(FileNode file, long offset) {
    long cost() {
      return Math.min(file.size() - offset, READER_WINDOW);
    }
  }

  private record Opened(Planned planned, Future<Optional<BlobReader>> reader) {}

  private final BlobService blobs;
  private final List<Planned> plan;
  private final ArrayDeque<Opened> ahead = new ArrayDeque<>();
  private int next;
  private long aheadBytes;

  BlobReadAhead(BlobService blobs, List<Planned> plan) {
    this.blobs = blobs;
    this.plan = plan;
  }

  /** The reader of {@code file}, which must be the next file of the plan. */
  Future<Optional<BlobReader>> take(FileNode file, long offset) {
    if (ahead.isEmpty()) {
      openNext();
    }
    Opened first = ahead.poll();
    if (first == null || first.planned.file() != file || first.planned.offset() != offset) {
      throw new IllegalStateException("rendering left its plan at " + file.name());
    }
    aheadBytes -= first.planned.cost();
    while (next < plan.size() && ahead.size() < MAX_FILES && aheadBytes + plan.get(next).cost() <= MAX_BYTES) {
      openNext();
    }
    return first.reader;
  }

  private void openNext() {
    Planned p = plan.get(next++);
    aheadBytes += p.cost();
    ahead.add(new Opened(p, blobs.open(p.file().digest(), p.offset(), Long.MAX_VALUE)));
  }

  /** Closes the readers opened ahead and not taken (a rendering that stopped early). */
  @Override
  public void close() {
    for (Opened o : ahead) {
      o.reader.onSuccess(r -> r.ifPresent(BlobReader::close));
    }
    ahead.clear();
  }
}
