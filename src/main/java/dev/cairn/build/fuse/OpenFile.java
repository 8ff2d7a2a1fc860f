package dev.cairn.build.fuse;

import dev.cairn.castore.BlobReader;
import dev.cairn.castore.BlobService;
import dev.cairn.castore.BlobStat;
import dev.cairn.castore.ChunkMeta;
import dev.cairn.castore.FileNode;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jnr.ffi.Pointer;
import ru.serce.jnrfuse.ErrorCodes;

/**
 * One open file's bytes, loaded a whole chunk at a time and kept in a small window: the kernel
 * asks for at most 128 KiB per read (libfuse 2 does not negotiate larger requests), so a chunk
 * (64 KiB–1 MiB, one verified load) serves several reads, and while the reader copies out of
 * one chunk the next ones are fetched and verified on the store's pools (both cores hash). Any
 * offset maps to its chunk directly, so concurrent or out-of-order reads of the same handle (the
 * kernel's asynchronous read-ahead) need no reader to be reopened.
 *
 * <p>A file of at most {@link #WHOLE_FILE} bytes is one segment (no chunk list asked for). A
 * larger one is asked for its chunk list once, and its segments are its chunks. Segments come
 * from one sequential blob reader per file (see {@link #load}); a jump reopens it.
 *
 * <p>Memory: while reading sequentially the window holds the chunk being read, the one before it
 * (a late read-ahead request) and up to {@link #AHEAD} bytes after it; on jumps (exec faulting
 * in a program's pages) it keeps what it loaded, up to {@link #KEPT_PER_FILE}. Everything kept
 * counts against the mount's {@link ReadAheadBudget}. When the budget is spent a needed
 * chunk is still loaded for the read at hand, but not kept.
 */
final class OpenFile {
  static final long WHOLE_FILE = 1 << 20;
  static final long AHEAD = 4 << 20;
  static final long KEPT_PER_FILE = 8 << 20;

  private record Segment(long start, long size) {}

  private record Kept(Future<Buffer> bytes, long reserved) {}

  private final FileNode node;
  private final BlobService blobs;
  private final Duration timeout;
  private final ReadAheadBudget budget;
  private final TreeMap<Integer, Kept> window = new TreeMap<>();
  private List<Segment> segments;
  private int last = -1;
  private boolean closed;
  /** The blob reader that delivers segment {@link #streamNext} next, once {@link #streamTail} completed. */
  private Future<BlobReader> stream;
  private Future<?> streamTail;
  private int streamNext = -1;

  OpenFile(FileNode node, BlobService blobs, Duration timeout, ReadAheadBudget budget) {
    this.node = node;
    this.blobs = blobs;
    this.timeout = timeout;
    this.budget = budget;
  }

  /** Copies up to {@code size} bytes at {@code offset} into {@code buf}; answers the count (0 at the end). */
  int read(Pointer buf, int size, long offset) throws FuseErrno {
    if (offset >= node.size() || size <= 0) {
      return 0;
    }
    List<Segment> segs = segments();
    int filled = 0;
    while (filled < size && offset + filled < node.size()) {
      long pos = offset + filled;
      int i = indexOf(segs, pos);
      Segment seg = segs.get(i);
      Buffer bytes;
      try {
        bytes = Waiting.await(want(segs, i), timeout, "read blob " + node.digest());
      } catch (FuseErrno e) {
        forget(i);
        throw e;
      }
      if (bytes.length() != seg.size()) {
        forget(i);
        throw new FuseErrno(ErrorCodes.EIO(), "blob " + node.digest() + " gave " + bytes.length() + " bytes at " + seg.start()
            + ", expected " + seg.size());
      }
      int from = (int) (pos - seg.start());
      int n = (int) Math.min(size - filled, seg.size() - from);
      copy(bytes, from, buf, filled, n);
      filled += n;
    }
    return filled;
  }

  /** Releases the window and the reader; idempotent. */
  synchronized void close() {
    closed = true;
    closeStream();
    for (Kept k : window.values()) {
      budget.give(k.reserved());
    }
    window.clear();
  }

  private synchronized List<Segment> segments() throws FuseErrno {
    if (segments == null) {
      segments = node.size() <= WHOLE_FILE ? List.of(new Segment(0, node.size())) : chunked();
    }
    return segments;
  }

  private List<Segment> chunked() throws FuseErrno {
    BlobStat stat = Waiting.await(blobs.stat(node.digest()), timeout, "stat blob " + node.digest())
        .orElseThrow(() -> new FuseErrno(ErrorCodes.EIO(), "blob " + node.digest() + " is missing"));
    if (stat.size() != node.size()) {
      throw new FuseErrno(ErrorCodes.EIO(), "blob " + node.digest() + " has " + stat.size() + " bytes, its node says " + node.size());
    }
    if (stat.chunks().isEmpty()) {
      return List.of(new Segment(0, node.size()));
    }
    List<Segment> out = new ArrayList<>(stat.chunks().size());
    long start = 0;
    for (ChunkMeta c : stat.chunks()) {
      out.add(new Segment(start, c.size()));
      start += c.size();
    }
    if (start != node.size()) {
      throw new FuseErrno(ErrorCodes.EIO(), "chunks of blob " + node.digest() + " add up to " + start + " bytes, expected " + node.size());
    }
    return out;
  }

  private static int indexOf(List<Segment> segs, long pos) {
    int lo = 0;
    int hi = segs.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (segs.get(mid).start() <= pos) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /**
   * The bytes of segment {@code i}: kept, or loaded now. A read next to the previous one counts
   * as sequential and loads ahead; a jump drops what was loaded ahead.
   */
  private synchronized Future<Buffer> want(List<Segment> segs, int i) {
    boolean sequential = i >= last - 1 && i <= last + 1;
    last = Math.max(last, i);
    if (!sequential) {
      last = i;
    }
    int aheadEnd = i;
    if (sequential) {
      long ahead = 0;
      while (aheadEnd + 1 < segs.size() && ahead + segs.get(aheadEnd + 1).size() <= AHEAD) {
        aheadEnd++;
        ahead += segs.get(aheadEnd).size();
      }
    }
    if (sequential) {
      // A stream: what lies behind the reader is not read again.
      for (Iterator<Map.Entry<Integer, Kept>> it = window.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<Integer, Kept> e = it.next();
        if (e.getKey() < i - 1 || e.getKey() > aheadEnd) {
          budget.give(e.getValue().reserved());
          it.remove();
        }
      }
    } else {
      // Jumps (a program's pages faulted in by exec or mmap): keep what was loaded, up to
      // KEPT_PER_FILE, dropping the chunks farthest from this read first.
      long kept = 0;
      for (Kept k : window.values()) {
        kept += k.reserved();
      }
      while (kept + segs.get(i).size() > KEPT_PER_FILE && !window.isEmpty()) {
        int far = i - window.firstKey() > window.lastKey() - i ? window.firstKey() : window.lastKey();
        Kept k = window.remove(far);
        budget.give(k.reserved());
        kept -= k.reserved();
      }
    }
    Future<Buffer> needed = keep(segs, i, true);
    for (int j = i + 1; j <= aheadEnd; j++) {
      if (keep(segs, j, false) == null) {
        break;
      }
    }
    return needed;
  }

  /** Segment {@code j} from the window, else loading; {@code null} when read-ahead has no budget. */
  private Future<Buffer> keep(List<Segment> segs, int j, boolean needed) {
    Kept kept = window.get(j);
    if (kept != null) {
      return kept.bytes();
    }
    long size = segs.get(j).size();
    boolean reserved = !closed && budget.tryTake(size);
    if (!reserved && !needed) {
      return null;
    }
    Future<Buffer> loading = load(segs, j);
    if (reserved) {
      window.put(j, new Kept(loading, size));
    }
    return loading;
  }

  /** After a failed load of segment {@code i}: drops it, what was chained behind it, and the reader. */
  private synchronized void forget(int i) {
    for (Iterator<Map.Entry<Integer, Kept>> it = window.tailMap(i, true).entrySet().iterator(); it.hasNext(); ) {
      budget.give(it.next().getValue().reserved());
      it.remove();
    }
    closeStream();
  }

  /**
   * Segment {@code j} from the file's one sequential blob reader: continued when it is at
   * {@code j} (its next chunk is already being fetched and verified), else reopened there. One
   * reader per file means one index look-up per open, not one per chunk.
   */
  private Future<Buffer> load(List<Segment> segs, int j) {
    Segment seg = segs.get(j);
    if (stream == null || streamNext != j) {
      closeStream();
      stream = blobs.open(node.digest(), seg.start(), Long.MAX_VALUE).map(found -> found.orElseThrow(
          () -> new IllegalStateException("blob " + node.digest() + " is missing")));
      streamTail = stream;
    }
    Future<BlobReader> reader = stream;
    // After a failed read the reader's position is unknown: what is chained behind it fails too,
    // and the next read reopens (see forget).
    Future<Buffer> loading = streamTail.compose(ignored -> reader).compose(r -> readExactly(r, seg.size(), null));
    streamTail = loading;
    streamNext = j + 1;
    return loading;
  }

  private void closeStream() {
    if (stream != null) {
      Future<BlobReader> old = stream;
      streamTail.onComplete(ignored -> old.onSuccess(BlobReader::close));
      stream = null;
      streamTail = null;
      streamNext = -1;
    }
  }

  /** The next {@code size} bytes of {@code reader}: its first piece as is when that is all (a whole chunk), else appended. */
  private static Future<Buffer> readExactly(BlobReader reader, long size, Buffer sofar) {
    int have = sofar == null ? 0 : sofar.length();
    if (have == size) {
      return Future.succeededFuture(sofar == null ? Buffer.buffer() : sofar);
    }
    return reader.read((int) (size - have)).compose(piece -> {
      if (piece.length() == 0) {
        return Future.failedFuture(new IllegalStateException("blob reader ended " + (size - have) + " bytes early"));
      }
      Buffer next;
      if (sofar == null && piece.length() == size) {
        next = piece;
      } else {
        next = sofar == null ? Buffer.buffer((int) size) : sofar;
        next.appendBuffer(piece);
      }
      return readExactly(reader, size, next);
    });
  }

  /** One copy, from the buffer's heap array straight into libfuse's reply buffer. */
  private static void copy(Buffer from, int offset, Pointer to, int at, int n) {
    ByteBuf b = ((BufferInternal) from).getByteBuf();
    if (b.hasArray()) {
      to.put(at, b.array(), b.arrayOffset() + b.readerIndex() + offset, n);
    } else {
      to.put(at, from.getBytes(offset, offset + n), 0, n);
    }
  }
}
