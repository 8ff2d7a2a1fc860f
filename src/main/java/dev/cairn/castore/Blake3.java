package dev.cairn.castore;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Incremental BLAKE3-256 (plain hash mode only), written from the BLAKE3 specification
 * (https://github.com/BLAKE3-team/BLAKE3-specs): 1 KiB chunks of 64-byte blocks, a binary tree of
 * parent nodes over the chunk chaining values, seven rounds of the ChaCha-like G function.
 *
 * <p>Speed: the compression function keeps the 16 state words, the 16 message words and the
 * chaining value in local ints, reads message words straight from the input {@code byte[]}
 * (little-endian view {@link VarHandle}) and has its seven rounds unrolled, with the message
 * permutation resolved at write time (no per-round copy). Whole chunks are compressed 16 blocks
 * per call without touching the buffer. No allocation per block, chunk or update.
 *
 * <p>SIMD: where {@link Blake3Lanes#detect() the Vector API is enabled} (Java 17: {@code
 * --add-modules jdk.incubator.vector}) and the CPU has 256- or 512-bit vectors, whole chunks are
 * compressed 8 or 16 at a time in vector lanes, and so are the parent nodes above them, in
 * batches of up to {@link #BATCH} chunks cut into the same aligned subtrees. Otherwise (and for
 * the last chunk, which may be the root, and short runs) the scalar code below runs. {@link
 * #implementation()} says which; the server logs it at startup.
 *
 * <p>Parallelism (optional, constructor flag): an update that brings at least {@link
 * #PARALLEL_MIN} whole chunks is cut into one contiguous part per core, each part into the
 * largest chunk-aligned power-of-two subtrees it holds (a 1 GiB update: two 512 MiB subtrees);
 * the calling thread and helper tasks on a small pool of its own (cores − 1 daemon threads named
 * {@code cairn-blake3-N}, which poll for ~0.2 ms after a task before parking, so back-to-back
 * updates do not pay a wake-up each) each compute the chaining values of one part's subtrees
 * independently, in SIMD lanes where there are some. Parts are taken from a shared counter, so a
 * helper that is late or never scheduled costs the caller nothing: it hashes what is left
 * itself. The caller merges the chaining values into the tree in order: the tree is the same,
 * so the digest is identical to the serial one. Larger updates split better (one hand-off per
 * helper and update); see bench/README.md "h-b3par".
 *
 * <p>{@link #digest()} does not change the state: hashing may continue afterwards. Not
 * thread-safe; one instance per stream.
 */
public final class Blake3 {
  static final int OUT_LEN = 32;
  private static final int BLOCK_LEN = 64;
  private static final int CHUNK_LEN = 1024;
  private static final int CHUNK_START = 1;
  private static final int CHUNK_END = 1 << 1;
  private static final int PARENT = 1 << 2;
  private static final int ROOT = 1 << 3;
  /** A 2^64-byte input has 2^54 chunks: at most 54 stacked chaining values, plus one slot. */
  private static final int MAX_DEPTH = 54;

  private static final int IV0 = 0x6A09E667;
  private static final int IV1 = 0xBB67AE85;
  private static final int IV2 = 0x3C6EF372;
  private static final int IV3 = 0xA54FF53A;
  private static final int IV4 = 0x510E527F;
  private static final int IV5 = 0x9B05688C;
  private static final int IV6 = 0x1F83D9AB;
  private static final int IV7 = 0x5BE0CD19;

  private static final VarHandle LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  /** Whole chunks an update must bring before it is spread over threads (256 KiB). */
  static final int PARALLEL_MIN = 256;
  /** Largest subtree of a parallel update (an update is at most 2^31 bytes). */
  private static final int MAX_SUBTREE = 1 << 21;
  private static final int COPY_SIZE = 64 * 1024;
  /** Chunks whose chaining values are computed in one pass of the lanes (256 KiB). */
  static final int BATCH = 256;
  /** Fewer chunks or parents than this go through the scalar code (a lane pass costs ~4). */
  private static final int MIN_LANE_WORK = 4;

  private final boolean parallel;
  /** SIMD lanes, or null: scalar only. */
  private final Blake3Lanes lanes;
  private LaneScratch laneScratch;
  private final int[] pieceCv = new int[8];
  /** Chaining value of the current chunk (after {@link #blocksDone} blocks). */
  private final int[] cv = new int[8];
  /** The current chunk's last, not yet compressed block: 0..64 bytes (kept until more input). */
  private final byte[] block = new byte[BLOCK_LEN];
  private int blockLen;
  private int blocksDone;
  /** Index of the current chunk = number of chunks whose chaining value went to the stack. */
  private long chunkCounter;
  /** Chaining values of complete subtrees, 32 bytes each, so two neighbours form a parent block. */
  private final byte[] stack = new byte[(MAX_DEPTH + 1) * OUT_LEN];
  private int stackLen;
  private final int[] tmp = new int[8];
  private byte[] scratch;

  /** A serial hasher. */
  public Blake3() {
    this(false);
  }

  /**
   * @param parallel spread large updates over two or more cores (same digest). Uses the SIMD
   *     lanes when there are some and they are warmed up ({@link Blake3Lanes#ready()}).
   */
  public Blake3(boolean parallel) {
    this(parallel, Blake3Lanes.ready());
  }

  /** @param lanes the SIMD lanes to use, null for the scalar code only (tests, benchmarks) */
  Blake3(boolean parallel, Blake3Lanes lanes) {
    this.parallel = parallel;
    this.lanes = lanes;
    reset();
  }

  /** Which compressor hashes: "SIMD, 512-bit vectors (16 lanes)" or "scalar (why)". */
  public static String implementation() {
    return Blake3Lanes.DETECTED.description();
  }

  public static byte[] hash(byte[] data) {
    return new Blake3().update(data, 0, data.length).digest();
  }

  public Blake3 reset() {
    setIv(cv);
    blockLen = 0;
    blocksDone = 0;
    chunkCounter = 0;
    stackLen = 0;
    return this;
  }

  public Blake3 update(byte[] data) {
    return update(data, 0, data.length);
  }

  public Blake3 update(byte[] in, int off, int len) {
    if ((off | len) < 0 || len > in.length - off) {
      throw new IndexOutOfBoundsException("off " + off + ", len " + len + ", length " + in.length);
    }
    while (len > 0) {
      if (blockLen == BLOCK_LEN) {
        // More input follows the buffered block, so it is not the root's last block.
        if (blocksDone == CHUNK_LEN / BLOCK_LEN - 1) {
          compress(cv, block, 0, 1, BLOCK_LEN, chunkCounter, 0, startFlag(), CHUNK_END);
          chunkCounter++;
          pushCv(cv, 0, chunkCounter);
          setIv(cv);
          blocksDone = 0;
        } else {
          compress(cv, block, 0, 1, BLOCK_LEN, chunkCounter, 0, startFlag(), 0);
          blocksDone++;
        }
        blockLen = 0;
      }
      if (blockLen == 0) {
        if (blocksDone == 0 && len > CHUNK_LEN) {
          // Whole chunks straight from the input; at least one byte stays for the buffer.
          int chunks = (len - 1) / CHUNK_LEN;
          if (parallel && chunks >= PARALLEL_MIN && Runtime.getRuntime().availableProcessors() > 1) {
            parallelChunks(in, off, chunks);
          } else if (lanes != null && chunks >= MIN_LANE_WORK) {
            laneChunks(in, off, chunks);
          } else {
            int[] t = tmp;
            for (int i = 0; i < chunks; i++) {
              setIv(t);
              compress(t, in, off + i * CHUNK_LEN, 16, BLOCK_LEN, chunkCounter, 0, CHUNK_START,
                  CHUNK_END);
              chunkCounter++;
              pushCv(t, 0, chunkCounter);
            }
          }
          off += chunks * CHUNK_LEN;
          len -= chunks * CHUNK_LEN;
          continue;
        }
        if (len > BLOCK_LEN) {
          // Whole blocks of this chunk, short of its last one (which needs CHUNK_END).
          int blocks = Math.min((len - 1) / BLOCK_LEN, CHUNK_LEN / BLOCK_LEN - 1 - blocksDone);
          if (blocks > 0) {
            compress(cv, in, off, blocks, BLOCK_LEN, chunkCounter, 0, startFlag(), 0);
            blocksDone += blocks;
            off += blocks * BLOCK_LEN;
            len -= blocks * BLOCK_LEN;
            continue;
          }
        }
      }
      int take = Math.min(BLOCK_LEN - blockLen, len);
      System.arraycopy(in, off, block, blockLen, take);
      blockLen += take;
      off += take;
      len -= take;
    }
    return this;
  }

  /** Consumes the buffer's remaining bytes (heap or direct); its position ends at its limit. */
  public Blake3 update(ByteBuffer data) {
    if (data.hasArray()) {
      update(data.array(), data.arrayOffset() + data.position(), data.remaining());
      data.position(data.limit());
      return this;
    }
    if (scratch == null) {
      scratch = new byte[COPY_SIZE];
    }
    while (data.hasRemaining()) {
      int n = Math.min(scratch.length, data.remaining());
      data.get(scratch, 0, n);
      update(scratch, 0, n);
    }
    return this;
  }

  /** The 32-byte digest of everything seen so far; the state is unchanged. */
  public byte[] digest() {
    byte[] out = new byte[OUT_LEN];
    digest(out, 0);
    return out;
  }

  public void digest(byte[] out, int off) {
    byte[] last = new byte[BLOCK_LEN];
    System.arraycopy(block, 0, last, 0, blockLen);
    int[] h = cv.clone();
    int flags = startFlag() | CHUNK_END;
    if (stackLen == 0) {
      compress(h, last, 0, 1, blockLen, chunkCounter, flags | ROOT, 0, 0);
    } else {
      compress(h, last, 0, 1, blockLen, chunkCounter, flags, 0, 0);
      for (int i = stackLen - 1; i >= 0; i--) {
        System.arraycopy(stack, i * OUT_LEN, last, 0, OUT_LEN);
        storeCv(h, last, OUT_LEN);
        setIv(h);
        compress(h, last, 0, 1, BLOCK_LEN, 0, i == 0 ? PARENT | ROOT : PARENT, 0, 0);
      }
    }
    storeCv(h, out, off);
  }

  private int startFlag() {
    return blocksDone == 0 ? CHUNK_START : 0;
  }

  /**
   * Adds the chaining value of a complete subtree of 2^level chunks, the last of which is chunk
   * {@code chunksAfter - 1}, merging it with its completed left neighbours.
   */
  private void pushCv(int[] h, int level, long chunksAfter) {
    int pos = stackLen;
    storeCv(h, stack, pos * OUT_LEN);
    int[] t = tmp == h ? new int[8] : tmp;
    for (long n = chunksAfter >>> level; (n & 1) == 0; n >>>= 1) {
      pos--;
      setIv(t);
      compress(t, stack, pos * OUT_LEN, 1, BLOCK_LEN, 0, PARENT, 0, 0);
      storeCv(t, stack, pos * OUT_LEN);
    }
    stackLen = pos + 1;
  }

  /**
   * Hashes {@code chunks} whole chunks at {@link #chunkCounter} on several threads, one contiguous
   * part each (see {@link Split}): a thread computes the chaining values of its part's aligned
   * subtrees on its own, the caller pushes them onto the stack in order. The tree is the
   * serial one, so is the digest.
   */
  private void parallelChunks(byte[] in, int off, int chunks) {
    long first = chunkCounter;
    Split split = Split.of(first, chunks, Helpers.THREADS + 1);
    int parts = split.parts();
    int[] cvs = new int[8 * split.pieces()];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    Blake3Lanes simd = lanes;
    Thread caller = Thread.currentThread();
    Runnable work =
        () -> {
          LaneScratch s = LaneScratch.PER_THREAD.get();
          for (int p; (p = next.getAndIncrement()) < parts; ) {
            for (int k = split.partStart()[p]; k < split.partStart()[p + 1]; k++) {
              long c = split.starts()[k];
              subtreeCv(simd, s, in, off + (int) (c - first) * CHUNK_LEN, c, split.sizes()[k]);
              System.arraycopy(s.h, 0, cvs, 8 * k, 8);
            }
            // publishes this part's chaining values
            if (done.incrementAndGet() == parts && Thread.currentThread() != caller) {
              LockSupport.unpark(caller);
            }
          }
        };
    for (int k = Math.min(Helpers.THREADS, parts - 1); k > 0 && Helpers.offer(work); k--) {
      // each idle helper takes parts from the same counter
    }
    work.run();
    // Not a join: a helper that never got a thread (busy pool) finds no part left; we only
    // wait for a part a helper is still hashing. Parts are of equal size, so on an idle machine
    // the wait is short and spun; on a busy one the helper may be descheduled for a time slice,
    // and spinning (or yielding) would take CPU from it: the caller parks until it is done.
    for (long spinUntil = System.nanoTime() + Helpers.SPIN_NS; done.get() < parts; ) {
      if (System.nanoTime() < spinUntil) {
        Thread.onSpinWait();
      } else {
        LockSupport.park(this);
      }
    }
    int[] h = new int[8];
    for (int k = 0; k < split.pieces(); k++) {
      System.arraycopy(cvs, 8 * k, h, 0, 8);
      int size = split.sizes()[k];
      pushCv(h, Integer.numberOfTrailingZeros(size), split.starts()[k] + size);
    }
    chunkCounter = first + chunks;
  }

  /**
   * The work of one parallel update: its chunks cut into {@code parts} contiguous parts, one per
   * thread, of about equal size (cuts on multiples of {@link #BATCH} chunks where the update is
   * large enough, so that every subtree but those at the update's two ends is at least one lane
   * batch; parts of at least {@link #PARALLEL_MIN}/2 chunks), each part cut into
   * the fewest aligned power-of-two subtrees ("pieces", chunk {@code starts[k]}, {@code sizes[k]}
   * chunks; part p has pieces {@code partStart[p]..partStart[p+1]-1}). The Rust crate's
   * {@code update_rayon} splits the same way (left subtree as large as alignment allows),
   * recursively with rayon; here one part per core keeps the hand-offs to one per helper and
   * update. E.g. a 1 MiB update at chunk 1024k: part 0 is the 512-chunk subtree, part 1 the
   * 256 + 128 + … + 1 after it.
   */
  record Split(long[] starts, int[] sizes, int[] partStart) {
    static Split of(long first, int chunks, int threads) {
      long end = first + chunks;
      int wanted = Math.max(1, Math.min(threads, chunks / (PARALLEL_MIN / 2)));
      // Cuts within a quarter part of the ideal, on the largest power of two that allows.
      long grain = Math.min(BATCH, Integer.highestOneBit(chunks / wanted / 2));
      long[] cuts = new long[wanted + 1];
      int parts = 0;
      cuts[0] = first;
      for (int p = 1; p < wanted; p++) {
        long cut = Math.round((first + (double) chunks * p / wanted) / grain) * grain;
        if (cut > cuts[parts] && cut < end) {
          cuts[++parts] = cut;
        }
      }
      cuts[++parts] = end;
      int[] partStart = new int[parts + 1];
      int pieces = 0;
      for (int p = 0; p < parts; p++) {
        partStart[p] = pieces;
        for (long c = cuts[p]; c < cuts[p + 1]; pieces++) {
          c += pieceSize(c, cuts[p + 1], MAX_SUBTREE);
        }
      }
      partStart[parts] = pieces;
      long[] starts = new long[pieces];
      int[] sizes = new int[pieces];
      for (int p = 0, k = 0; p < parts; p++) {
        for (long c = cuts[p]; c < cuts[p + 1]; k++) {
          starts[k] = c;
          sizes[k] = pieceSize(c, cuts[p + 1], MAX_SUBTREE);
          c += sizes[k];
        }
      }
      return new Split(starts, sizes, partStart);
    }

    int parts() {
      return partStart.length - 1;
    }

    int pieces() {
      return starts.length;
    }
  }

  /** Hashes {@code chunks} whole chunks at {@link #chunkCounter} in SIMD lanes. */
  private void laneChunks(byte[] in, int off, int chunks) {
    if (laneScratch == null) {
      laneScratch = new LaneScratch();
    }
    LaneScratch s = laneScratch;
    while (chunks > 0) {
      int n = Math.min(chunks, BATCH);
      long first = chunkCounter;
      long end = first + n;
      lanes.chunkCvs(in, off, n, first, s.cvs, BATCH, 0);
      for (long c = first; c < end; ) {
        int size = pieceSize(c, end, BATCH);
        reduce(lanes, s, (int) (c - first), size, pieceCv);
        c += size;
        pushCv(pieceCv, Integer.numberOfTrailingZeros(size), c);
      }
      chunkCounter = end;
      off += n * CHUNK_LEN;
      chunks -= n;
    }
  }

  /** Word-major chaining values of one batch of chunks and of two levels of parents. */
  private static final class LaneScratch {
    /** A helper thread's (the caller's is {@link #laneScratch}): no allocation per update. */
    static final ThreadLocal<LaneScratch> PER_THREAD = ThreadLocal.withInitial(LaneScratch::new);

    final int[] cvs = new int[8 * BATCH];
    final int[] levelA = new int[8 * (BATCH / 2)];
    final int[] levelB = new int[8 * (BATCH / 2)];
    final byte[] block = new byte[BLOCK_LEN];
    /** A subtree's chaining value, and the stack of its left halves (2^31 chunks at most). */
    final int[] h = new int[8];
    final byte[] stack = new byte[32 * OUT_LEN];
  }

  /**
   * Chaining value (into {@code out}) of the subtree over the {@code size} (a power of two)
   * chunk chaining values at {@code idx} of {@code s.cvs}: parent levels in lanes while they
   * are wide enough, the last few scalar.
   */
  private static void reduce(Blake3Lanes lanes, LaneScratch s, int idx, int size, int[] out) {
    int[] src = s.cvs;
    int stride = BATCH;
    int[] dst = s.levelA;
    for (int n = size / 2; n >= 1; n /= 2) {
      if (n >= MIN_LANE_WORK) {
        lanes.parentCvs(src, stride, idx, n, dst, BATCH / 2);
      } else {
        for (int i = 0; i < n; i++) {
          parentScalar(src, stride, idx + 2 * i, dst, BATCH / 2, i, s.block, out);
        }
      }
      src = dst;
      stride = BATCH / 2;
      idx = 0;
      dst = dst == s.levelA ? s.levelB : s.levelA;
    }
    for (int w = 0; w < 8; w++) {
      out[w] = src[w * stride + idx];
    }
  }

  /** Parent of word-major chaining values {@code idx} and {@code idx + 1}, written at {@code outIdx}. */
  private static void parentScalar(int[] in, int stride, int idx, int[] out, int outStride,
      int outIdx, byte[] block, int[] h) {
    for (int w = 0; w < 8; w++) {
      putLe(block, 4 * w, in[w * stride + idx]);
      putLe(block, OUT_LEN + 4 * w, in[w * stride + idx + 1]);
    }
    setIv(h);
    compress(h, block, 0, 1, BLOCK_LEN, 0, PARENT, 0, 0);
    for (int w = 0; w < 8; w++) {
      out[w * outStride + outIdx] = h[w];
    }
  }

  /**
   * The helper threads of parallel hashing: bounded ({@link #THREADS}), named, daemon, started on
   * first use. Each has a one-task mailbox; a helper that just finished spins for {@link #SPIN_NS}
   * before parking, so a stream of updates (1 MiB reads) finds it awake instead of paying a
   * thread wake-up per update, which took most of the gain of the split.
   */
  private static final class Helpers {
    static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    /** How long an idle helper polls its mailbox before it parks (about one 1 MiB update). */
    static final long SPIN_NS = 200_000;
    private static final Helper[] ALL = new Helper[THREADS];

    static {
      for (int i = 0; i < THREADS; i++) {
        ALL[i] = new Helper("cairn-blake3-" + (i + 1));
        ALL[i].start();
      }
    }

    /** Hands {@code work} to an idle helper, if any (else the caller does all of it); true if taken. */
    static boolean offer(Runnable work) {
      for (Helper h : ALL) {
        if (h.task.compareAndSet(null, work)) {
          LockSupport.unpark(h);
          return true;
        }
      }
      return false;
    }

    private static final class Helper extends Thread {
      final AtomicReference<Runnable> task = new AtomicReference<>();

      Helper(String name) {
        super(name);
        setDaemon(true);
      }

      @Override
      public void run() {
        long idleSince = System.nanoTime();
        while (true) {
          Runnable r = task.get();
          if (r != null) {
            try {
              r.run();
            } finally {
              task.set(null);
            }
            idleSince = System.nanoTime();
          } else if (System.nanoTime() - idleSince < SPIN_NS) {
            Thread.onSpinWait();
          } else {
            LockSupport.park(this);
          }
        }
      }
    }
  }

  /** Largest power of two ≤ {@code max} dividing {@code c} that fits before {@code end}. */
  private static int pieceSize(long c, long end, int max) {
    int size = max;
    while ((c & (size - 1)) != 0 || c + size > end) {
      size >>>= 1;
    }
    return size;
  }

  /**
   * Chaining value (non-root, into {@code s.h}) of the {@code size} (a power of two) chunks at
   * {@code in[off..]}, the first being chunk {@code counter}: leaves of one lane batch (or one
   * chunk, scalar) merged on a stack of left halves.
   */
  private static void subtreeCv(Blake3Lanes lanes, LaneScratch s, byte[] in, int off, long counter,
      int size) {
    int leaf = lanes == null || size < MIN_LANE_WORK ? 1 : Math.min(size, BATCH);
    int[] h = s.h;
    byte[] st = s.stack;
    int depth = 0;
    for (int i = 0; i < size / leaf; i++) {
      int o = off + i * leaf * CHUNK_LEN;
      if (leaf == 1) {
        setIv(h);
        compress(h, in, o, 16, BLOCK_LEN, counter + i, 0, CHUNK_START, CHUNK_END);
      } else {
        lanes.chunkCvs(in, o, leaf, counter + (long) i * leaf, s.cvs, BATCH, 0);
        reduce(lanes, s, 0, leaf, h);
      }
      storeCv(h, st, depth * OUT_LEN);
      for (int n = i + 1; (n & 1) == 0; n >>>= 1) {
        depth--;
        setIv(h);
        compress(h, st, depth * OUT_LEN, 1, BLOCK_LEN, 0, PARENT, 0, 0);
        storeCv(h, st, depth * OUT_LEN);
      }
      depth++;
    }
    for (int j = 0; j < 8; j++) {
      h[j] = (int) LE.get(st, 4 * j);
    }
  }

  private static void setIv(int[] h) {
    h[0] = IV0;
    h[1] = IV1;
    h[2] = IV2;
    h[3] = IV3;
    h[4] = IV4;
    h[5] = IV5;
    h[6] = IV6;
    h[7] = IV7;
  }

  private static void storeCv(int[] h, byte[] out, int off) {
    for (int j = 0; j < 8; j++) {
      putLe(out, off + 4 * j, h[j]);
    }
  }

  private static void putLe(byte[] out, int o, int v) {
    // Plain byte stores, not LE.set: on JDK 17.0.15 with G1, C2 compiled digest() with the
    // VarHandle stores inlined so that it returned all-zero digests after some 40,000 calls
    // (seen in the test JVM; -XX:-DoEscapeAnalysis, another GC or excluding this method from
    // compilation made it right again).
    out[o] = (byte) v;
    out[o + 1] = (byte) (v >>> 8);
    out[o + 2] = (byte) (v >>> 16);
    out[o + 3] = (byte) (v >>> 24);
  }

  /**
   * Compresses {@code blocks} consecutive 64-byte blocks of {@code m} from {@code off} into the
   * chaining value {@code h} (in/out). All blocks use {@code counter} and {@code flags}; the first
   * also {@code firstFlags}, the last also {@code lastFlags} and length {@code lastLen}. Output
   * is the first 8 words (chaining value, or the 32-byte root output with ROOT in the flags).
   */
  private static void compress(int[] h, byte[] m, int off, int blocks, int lastLen, long counter,
      int flags, int firstFlags, int lastFlags) {
    int h0 = h[0], h1 = h[1], h2 = h[2], h3 = h[3], h4 = h[4], h5 = h[5], h6 = h[6], h7 = h[7];
    int tLo = (int) counter;
    int tHi = (int) (counter >>> 32);
    for (int blk = 0; blk < blocks; blk++, off += BLOCK_LEN) {
      int f = blk == 0 ? flags | firstFlags : flags;
      int len = BLOCK_LEN;
      if (blk == blocks - 1) {
        f |= lastFlags;
        len = lastLen;
      }
      int m0 = (int) LE.get(m, off);
      int m1 = (int) LE.get(m, off + 4);
      int m2 = (int) LE.get(m, off + 8);
      int m3 = (int) LE.get(m, off + 12);
      int m4 = (int) LE.get(m, off + 16);
      int m5 = (int) LE.get(m, off + 20);
      int m6 = (int) LE.get(m, off + 24);
      int m7 = (int) LE.get(m, off + 28);
      int m8 = (int) LE.get(m, off + 32);
      int m9 = (int) LE.get(m, off + 36);
      int m10 = (int) LE.get(m, off + 40);
      int m11 = (int) LE.get(m, off + 44);
      int m12 = (int) LE.get(m, off + 48);
      int m13 = (int) LE.get(m, off + 52);
      int m14 = (int) LE.get(m, off + 56);
      int m15 = (int) LE.get(m, off + 60);
      int v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
      int v8 = IV0, v9 = IV1, v10 = IV2, v11 = IV3;
      int v12 = tLo, v13 = tHi, v14 = len, v15 = f;
      // round 1: message words [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
      v0 += v4 + m0; v12 = Integer.rotateRight(v12 ^ v0, 16);
      v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
      v0 += v4 + m1; v12 = Integer.rotateRight(v12 ^ v0, 8);
      v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
      v1 += v5 + m2; v13 = Integer.rotateRight(v13 ^ v1, 16);
      v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
      v1 += v5 + m3; v13 = Integer.rotateRight(v13 ^ v1, 8);
      v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
      v2 += v6 + m4; v14 = Integer.rotateRight(v14 ^ v2, 16);
      v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
      v2 += v6 + m5; v14 = Integer.rotateRight(v14 ^ v2, 8);
      v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
      v3 += v7 + m6; v15 = Integer.rotateRight(v15 ^ v3, 16);
      v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
      v3 += v7 + m7; v15 = Integer.rotateRight(v15 ^ v3, 8);
      v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
      v0 += v5 + m8; v15 = Integer.rotateRight(v15 ^ v0, 16);
      v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
      v0 += v5 + m9; v15 = Integer.rotateRight(v15 ^ v0, 8);
      v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
      v1 += v6 + m10; v12 = Integer.rotateRight(v12 ^ v1, 16);
      v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
      v1 += v6 + m11; v12 = Integer.rotateRight(v12 ^ v1, 8);
      v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
      v2 += v7 + m12; v13 = Integer.rotateRight(v13 ^ v2, 16);
      v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
      v2 += v7 + m13; v13 = Integer.rotateRight(v13 ^ v2, 8);
      v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
      v3 += v4 + m14; v14 = Integer.rotateRight(v14 ^ v3, 16);
      v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
      v3 += v4 + m15; v14 = Integer.rotateRight(v14 ^ v3, 8);
      v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
      // round 2: message words [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8]
      v0 += v4 + m2; v12 = Integer.rotateRight(v12 ^ v0, 16);
      v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
      v0 += v4 + m6; v12 = Integer.rotateRight(v12 ^ v0, 8);
      v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
      v1 += v5 + m3; v13 = Integer.rotateRight(v13 ^ v1, 16);
      v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
      v1 += v5 + m10; v13 = Integer.rotateRight(v13 ^ v1, 8);
      v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
      v2 += v6 + m7; v14 = Integer.rotateRight(v14 ^ v2, 16);
      v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
      v2 += v6 + m0; v14 = Integer.rotateRight(v14 ^ v2, 8);
      v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
      v3 += v7 + m4; v15 = Integer.rotateRight(v15 ^ v3, 16);
      v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
      v3 += v7 + m13; v15 = Integer.rotateRight(v15 ^ v3, 8);
      v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
      v0 += v5 + m1; v15 = Integer.rotateRight(v15 ^ v0, 16);
      v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
      v0 += v5 + m11; v15 = Integer.rotateRight(v15 ^ v0, 8);
      v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
      v1 += v6 + m12; v12 = Integer.rotateRight(v12 ^ v1, 16);
      v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
      v1 += v6 + m5; v12 = Integer.rotateRight(v12 ^ v1, 8);
      v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
      v2 += v7 + m9; v13 = Integer.rotateRight(v13 ^ v2, 16);
      v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
      v2 += v7 + m14; v13 = Integer.rotateRight(v13 ^ v2, 8);
      v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
      v3 += v4 + m15; v14 = Integer.rotateRight(v14 ^ v3, 16);
      v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
      v3 += v4 + m8; v14 = Integer.rotateRight(v14 ^ v3, 8);
      v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
      // round 3: message words [3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1]
      v0 += v4 + m3; v12 = Integer.rotateRight(v12 ^ v0, 16);
      v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
      v0 += v4 + m4; v12 = Integer.rotateRight(v12 ^ v0, 8);
      v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
      v1 += v5 + m10; v13 = Integer.rotateRight(v13 ^ v1, 16);
      v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
      v1 += v5 + m12; v13 = Integer.rotateRight(v13 ^ v1, 8);
      v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
      v2 += v6 + m13; v14 = Integer.rotateRight(v14 ^ v2, 16);
      v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
      v2 += v6 + m2; v14 = Integer.rotateRight(v14 ^ v2, 8);
      v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
      v3 += v7 + m7; v15 = Integer.rotateRight(v15 ^ v3, 16);
      v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
      v3 += v7 + m14; v15 = Integer.rotateRight(v15 ^ v3, 8);
      v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
      v0 += v5 + m6; v15 = Integer.rotateRight(v15 ^ v0, 16);
      v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
      v0 += v5 + m5; v15 = Integer.rotateRight(v15 ^ v0, 8);
      v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
      v1 += v6 + m9; v12 = Integer.rotateRight(v12 ^ v1, 16);
      v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
      v1 += v6 + m0; v12 = Integer.rotateRight(v12 ^ v1, 8);
      v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
      v2 += v7 + m11; v13 = Integer.rotateRight(v13 ^ v2, 16);
      v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
      v2 += v7 + m15; v13 = Integer.rotateRight(v13 ^ v2, 8);
      v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
      v3 += v4 + m8; v14 = Integer.rotateRight(v14 ^ v3, 16);
      v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
      v3 += v4 + m1; v14 = Integer.rotateRight(v14 ^ v3, 8);
      v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
      // round 4: message words [10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6]
      v0 += v4 + m10; v12 = Integer.rotateRight(v12 ^ v0, 16);
      v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
      v0 += v4 + m7; v12 = Integer.rotateRight(v12 ^ v0, 8);
      v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
      v1 += v5 + m12; v13 = Integer.rotateRight(v13 ^ v1, 16);
      v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
      v1 += v5 + m9; v13 = Integer.rotateRight(v13 ^ v1, 8);
      v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
      v2 += v6 + m14; v14 = Integer.rotateRight(v14 ^ v2, 16);
      v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
      v2 += v6 + m3; v14 = Integer.rotateRight(v14 ^ v2, 8);
      v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
      v3 += v7 + m13; v15 = Integer.rotateRight(v15 ^ v3, 16);
      v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
      v3 += v7 + m15; v15 = Integer.rotateRight(v15 ^ v3, 8);
      v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
      v0 += v5 + m4; v15 = Integer.rotateRight(v15 ^ v0, 16);
      v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
      v0 += v5 + m0; v15 = Integer.rotateRight(v15 ^ v0, 8);
      v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
      v1 += v6 + m11; v12 = Integer.rotateRight(v12 ^ v1, 16);
      v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
      v1 += v6 + m2; v12 = Integer.rotateRight(v12 ^ v1, 8);
      v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
      v2 += v7 + m5; v13 = Integer.rotateRight(v13 ^ v2, 16);
      v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
      v2 += v7 + m8; v13 = Integer.rotateRight(v13 ^ v2, 8);
      v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
      v3 += v4 + m1; v14 = Integer.rotateRight(v14 ^ v3, 16);
      v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
      v3 += v4 + m6; v14 = Integer.rotateRight(v14 ^ v3, 8);
      v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
      // round 5: message words [12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4]
      v0 += v4 + m12; v12 = Integer.rotateRight(v12 ^ v0, 16);
      v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
      v0 += v4 + m13; v12 = Integer.rotateRight(v12 ^ v0, 8);
      v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
      v1 += v5 + m9; v13 = Integer.rotateRight(v13 ^ v1, 16);
      v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
      v1 += v5 + m11; v13 = Integer.rotateRight(v13 ^ v1, 8);
      v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
      v2 += v6 + m15; v14 = Integer.rotateRight(v14 ^ v2, 16);
      v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
      v2 += v6 + m10; v14 = Integer.rotateRight(v14 ^ v2, 8);
      v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
      v3 += v7 + m14; v15 = Integer.rotateRight(v15 ^ v3, 16);
      v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
      v3 += v7 + m8; v15 = Integer.rotateRight(v15 ^ v3, 8);
      v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
      v0 += v5 + m7; v15 = Integer.rotateRight(v15 ^ v0, 16);
      v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
      v0 += v5 + m2; v15 = Integer.rotateRight(v15 ^ v0, 8);
      v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
      v1 += v6 + m5; v12 = Integer.rotateRight(v12 ^ v1, 16);
      v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
      v1 += v6 + m3; v12 = Integer.rotateRight(v12 ^ v1, 8);
      v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
      v2 += v7 + m0; v13 = Integer.rotateRight(v13 ^ v2, 16);
      v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
      v2 += v7 + m1; v13 = Integer.rotateRight(v13 ^ v2, 8);
      v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
      v3 += v4 + m6; v14 = Integer.rotateRight(v14 ^ v3, 16);
      v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
      v3 += v4 + m4; v14 = Integer.rotateRight(v14 ^ v3, 8);
      v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
      // round 6: message words [9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7]
      v0 += v4 + m9; v12 = Integer.rotateRight(v12 ^ v0, 16);
      v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
      v0 += v4 + m14; v12 = Integer.rotateRight(v12 ^ v0, 8);
      v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
      v1 += v5 + m11; v13 = Integer.rotateRight(v13 ^ v1, 16);
      v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
      v1 += v5 + m5; v13 = Integer.rotateRight(v13 ^ v1, 8);
      v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
      v2 += v6 + m8; v14 = Integer.rotateRight(v14 ^ v2, 16);
      v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
      v2 += v6 + m12; v14 = Integer.rotateRight(v14 ^ v2, 8);
      v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
      v3 += v7 + m15; v15 = Integer.rotateRight(v15 ^ v3, 16);
      v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
      v3 += v7 + m1; v15 = Integer.rotateRight(v15 ^ v3, 8);
      v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
      v0 += v5 + m13; v15 = Integer.rotateRight(v15 ^ v0, 16);
      v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
      v0 += v5 + m3; v15 = Integer.rotateRight(v15 ^ v0, 8);
      v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
      v1 += v6 + m0; v12 = Integer.rotateRight(v12 ^ v1, 16);
      v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
      v1 += v6 + m10; v12 = Integer.rotateRight(v12 ^ v1, 8);
      v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
      v2 += v7 + m2; v13 = Integer.rotateRight(v13 ^ v2, 16);
      v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
      v2 += v7 + m6; v13 = Integer.rotateRight(v13 ^ v2, 8);
      v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
      v3 += v4 + m4; v14 = Integer.rotateRight(v14 ^ v3, 16);
      v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
      v3 += v4 + m7; v14 = Integer.rotateRight(v14 ^ v3, 8);
      v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
      // round 7: message words [11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13]
      v0 += v4 + m11; v12 = Integer.rotateRight(v12 ^ v0, 16);
      v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
      v0 += v4 + m15; v12 = Integer.rotateRight(v12 ^ v0, 8);
      v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
      v1 += v5 + m5; v13 = Integer.rotateRight(v13 ^ v1, 16);
      v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
      v1 += v5 + m0; v13 = Integer.rotateRight(v13 ^ v1, 8);
      v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
      v2 += v6 + m1; v14 = Integer.rotateRight(v14 ^ v2, 16);
      v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
      v2 += v6 + m9; v14 = Integer.rotateRight(v14 ^ v2, 8);
      v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
      v3 += v7 + m8; v15 = Integer.rotateRight(v15 ^ v3, 16);
      v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
      v3 += v7 + m6; v15 = Integer.rotateRight(v15 ^ v3, 8);
      v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
      v0 += v5 + m14; v15 = Integer.rotateRight(v15 ^ v0, 16);
      v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
      v0 += v5 + m10; v15 = Integer.rotateRight(v15 ^ v0, 8);
      v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
      v1 += v6 + m2; v12 = Integer.rotateRight(v12 ^ v1, 16);
      v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
      v1 += v6 + m12; v12 = Integer.rotateRight(v12 ^ v1, 8);
      v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
      v2 += v7 + m3; v13 = Integer.rotateRight(v13 ^ v2, 16);
      v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
      v2 += v7 + m4; v13 = Integer.rotateRight(v13 ^ v2, 8);
      v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
      v3 += v4 + m7; v14 = Integer.rotateRight(v14 ^ v3, 16);
      v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
      v3 += v4 + m13; v14 = Integer.rotateRight(v14 ^ v3, 8);
      v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
      h0 = v0 ^ v8;
      h1 = v1 ^ v9;
      h2 = v2 ^ v10;
      h3 = v3 ^ v11;
      h4 = v4 ^ v12;
      h5 = v5 ^ v13;
      h6 = v6 ^ v14;
      h7 = v7 ^ v15;
    }
    h[0] = h0;
    h[1] = h1;
    h[2] = h2;
    h[3] = h3;
    h[4] = h4;
    h[5] = h5;
    h[6] = h6;
    h[7] = h7;
  }
}
