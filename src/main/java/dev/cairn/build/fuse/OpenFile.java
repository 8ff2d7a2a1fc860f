package dev.cairn.build.fuse;

import dev.cairn.castore.BlobService;
import dev.cairn.castore.BlobStat;
import dev.cairn.castore.ChunkMeta;
import dev.cairn.castore.FileNode;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import jnr.ffi.Pointer;
import ru.serce.jnrfuse.ErrorCodes;

/**
 * One open file's bytes, loaded a whole chunk at a time and kept in a small window: the kernel
 * asks for at most 128 KiB per read (libfuse 2 does not negotiate larger requests), so a chunk
 * (64 KiB–1 MiB, one verified load) serves several reads. Any offset maps to its chunk directly,
 * so concurrent or out-of-order reads of the same handle (the kernel's asynchronous read-ahead)
 * need no reader to be reopened.
 *
 * <p>Loads go through {@link BlobService#readChunkBlocking} and complete on the thread that runs
 * them: a chunk a read needs and nobody loads yet is loaded by the libfuse thread of that read;
 * chunks after it are loaded ahead on the mount's {@code loader} pool (both cores read and hash
 * while libfuse copies out). Measured (bench/README.md, h-fuse2): a chunk loaded through the
 * store's futures hopped FUSE thread → chunk I/O pool → event loop → CPU pool → event loop →
 * FUSE thread, and those hops cost more CPU than the reading and hashing.
 *
 * <p>Memory: while reading sequentially the window holds the chunk being read, the one before it
 * (a late read-ahead request) and up to {@link #AHEAD} bytes after it; on jumps (exec faulting
 * in a program's pages) it keeps what it loaded, up to {@link #KEPT_PER_FILE}. Everything kept
 * counts against the mount's {@link ReadAheadBudget}. When the budget is spent a needed
 * chunk is still loaded for the read at hand, but not kept.
 */
final class OpenFile {
  static final long AHEAD = 4 << 20;
  static final long KEPT_PER_FILE = 8 << 20;

  private record Segment(long start, ChunkMeta chunk) {
    long size() {
      return chunk.size();
    }
  }

  private record Kept(CompletableFuture<ByteBuffer> bytes, long reserved) {}

  /** A segment's bytes, and whether the caller must load them itself (nobody else does). */
  private record Wanted(CompletableFuture<ByteBuffer> bytes, boolean loadHere) {}

  private final FileNode node;
  private final BlobService blobs;
  private final Duration timeout;
  private final ReadAheadBudget budget;
  private final Executor loader;
  private final TreeMap<Integer, Kept> window = new TreeMap<>();
  private List<Segment> segments;
  private int last = -1;
  private boolean closed;

  OpenFile(FileNode node, BlobService blobs, Duration timeout, ReadAheadBudget budget, Executor loader) {
    this.node = node;
    this.blobs = blobs;
    this.timeout = timeout;
    this.budget = budget;
    this.loader = loader;
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
      ByteBuffer bytes = bytes(want(segs, i), seg, i);
      int from = (int) (pos - seg.start());
      int n = (int) Math.min(size - filled, seg.size() - from);
      copy(bytes, from, buf, filled, n);
      filled += n;
    }
    return filled;
  }

  /** Releases the window; idempotent. Loads still running finish and are dropped. */
  synchronized void close() {
    closed = true;
    for (Kept k : window.values()) {
      budget.give(k.reserved());
    }
    window.clear();
  }

  private synchronized List<Segment> segments() throws FuseErrno {
    if (segments == null) {
      segments = chunked();
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
      return List.of(new Segment(0, new ChunkMeta(node.digest(), node.size())));
    }
    List<Segment> out = new ArrayList<>(stat.chunks().size());
    long start = 0;
    for (ChunkMeta c : stat.chunks()) {
      out.add(new Segment(start, c));
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

  /** Segment {@code i}'s bytes: loaded here when {@link #want} says so, else awaited (bounded by {@code timeout}). */
  private ByteBuffer bytes(Wanted wanted, Segment seg, int i) throws FuseErrno {
    if (wanted.loadHere()) {
      complete(wanted.bytes(), seg);
    }
    ByteBuffer bytes;
    try {
      bytes = wanted.bytes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      forget(i, wanted.bytes());
      throw new FuseErrno(ErrorCodes.EIO(), "read blob " + node.digest() + " timed out after " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FuseErrno(ErrorCodes.EINTR(), "read blob " + node.digest() + " interrupted");
    } catch (ExecutionException e) {
      forget(i, wanted.bytes());
      throw new FuseErrno(ErrorCodes.EIO(), "read blob " + node.digest() + ": " + e.getCause());
    }
    if (bytes.remaining() != seg.size()) {
      forget(i, wanted.bytes());
      throw new FuseErrno(ErrorCodes.EIO(), "blob " + node.digest() + " gave " + bytes.remaining() + " bytes at " + seg.start()
          + ", expected " + seg.size());
    }
    return bytes;
  }

  /**
   * The bytes of segment {@code i}: kept, or to be loaded by the caller. A read next to the
   * previous one counts as sequential and starts loading ahead; a jump drops what was loaded ahead.
   */
  private synchronized Wanted want(List<Segment> segs, int i) {
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
    Kept kept = window.get(i);
    Wanted needed;
    if (kept != null) {
      needed = new Wanted(kept.bytes(), false);
    } else {
      CompletableFuture<ByteBuffer> here = new CompletableFuture<>();
      keep(i, here, segs.get(i).size(), true);
      needed = new Wanted(here, true);
    }
    for (int j = i + 1; j <= aheadEnd; j++) {
      if (!window.containsKey(j) && !loadAhead(segs, j)) {
        break;
      }
    }
    return needed;
  }

  /** Starts loading segment {@code j} on the loader pool; false when read-ahead has no budget. */
  private boolean loadAhead(List<Segment> segs, int j) {
    Segment seg = segs.get(j);
    CompletableFuture<ByteBuffer> loading = new CompletableFuture<>();
    if (!keep(j, loading, seg.size(), false)) {
      return false;
    }
    loader.execute(() -> complete(loading, seg));
    return true;
  }

  /** Puts a load into the window when the budget allows; false when it does not (a needed load then goes unkept). */
  private boolean keep(int j, CompletableFuture<ByteBuffer> loading, long size, boolean needed) {
    boolean reserved = !closed && budget.tryTake(size);
    if (reserved) {
      window.put(j, new Kept(loading, size));
    }
    return reserved || needed;
  }

  /** Loads one segment on the calling thread into {@code into}. */
  private void complete(CompletableFuture<ByteBuffer> into, Segment seg) {
    try {
      into.complete(blobs.readChunkBlocking(node.digest(), seg.chunk()).orElseThrow(() -> new IllegalStateException(
          "chunk " + seg.chunk().digest() + " of blob " + node.digest() + " is missing")));
    } catch (Exception | Error e) {
      into.completeExceptionally(e);
    }
  }

  /** After a failed load of segment {@code i}: drops it, so that the next read loads it again. */
  private synchronized void forget(int i, CompletableFuture<ByteBuffer> failed) {
    Kept k = window.get(i);
    if (k != null && k.bytes() == failed) {
      window.remove(i);
      budget.give(k.reserved());
    }
  }

  /** One copy, from the chunk's heap array straight into libfuse's reply buffer. */
  private static void copy(ByteBuffer from, int offset, Pointer to, int at, int n) {
    if (from.hasArray()) {
      to.put(at, from.array(), from.arrayOffset() + from.position() + offset, n);
    } else {
      byte[] piece = new byte[n];
      from.duplicate().position(from.position() + offset).get(piece);
      to.put(at, piece, 0, n);
    }
  }
}
