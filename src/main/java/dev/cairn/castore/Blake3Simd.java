package dev.cairn.castore;

import static jdk.incubator.vector.VectorOperators.ROR;
import static jdk.incubator.vector.VectorOperators.XOR;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * BLAKE3 compression in SIMD lanes with the Vector API ({@code jdk.incubator.vector}): lane k
 * hashes its own chunk (or parent node), so one pass compresses 16 (AVX-512) or 8 (AVX2) of
 * them, as the reference implementation and b3sum do. The same G function, rounds and message
 * schedule as {@link Blake3#compress}, written over {@link IntVector}s. One round is written
 * out and looped seven times, the message words read from memory through {@link #SCHEDULE}:
 * the method stays small enough for C1 and quick for C2 to compile (fully unrolled, it was
 * 7.8 KB of bytecode that C1 gave up on and C2 took seconds to compile, so the first tens
 * of MiB ran interpreted at ~3 MB/s).
 *
 * <p>Only loaded through {@link Blake3Lanes#detect()}, reflectively: without {@code --add-modules
 * jdk.incubator.vector} this class cannot link, and nothing else refers to it.
 *
 * <p>Input words are transposed into a per-thread {@code int[]} (word j of lane k at
 * {@code j * LANES + k}). A whole group of 16 chunks is transposed in registers straight from
 * the input ({@link #transpose16}: shifted little-endian loads, blends and lane rotations, about
 * 150 vector instructions per 1 KiB; a short group is first copied to a 16-chunk buffer). With
 * 8 lanes the chunks are copied in bulk into an
 * {@code int[]} from which each word is gathered across lanes (the Vector API of Java 17 has no
 * gather from a {@code byte[]}); for whole groups that copy and its 256 gathers per 16 KiB took
 * ~40% of the CPU time (JFR, issue 10). Chaining values come in and go out "word-major": word w of
 * chaining value i at {@code cvs[w * stride + i]}, so results are stored as whole vectors.
 */
final class Blake3Simd implements Blake3Lanes {
  /** 512-bit where the CPU and the JVM have it, else 256-bit; null below (no gain over scalar). */
  private static final VectorSpecies<Integer> S = species();
  private static final int L = S == null ? 1 : S.length();
  private static final int CHUNK_LEN = 1024;
  private static final int CHUNK_START = 1;
  private static final int CHUNK_END = 1 << 1;
  private static final int PARENT = 1 << 2;
  private static final int[] IV = {
    0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19
  };
  /**
   * Offsets in the transposed block of the message words each round reads, in G order: round
   * r uses word {@code P^r(i)} where i is its position and P the permutation of the spec.
   */
  private static final int[] SCHEDULE = schedule();
  /** Lane k reads word {@code 256 k} of the copied chunks: the same word of chunk k. */
  private static final int[] GATHER = gatherMap();
  /** Per thread, 16 lanes only: a short group of chunks, padded to 16 for {@link #transpose16}. */
  private static final ThreadLocal<byte[]> GROUP = ThreadLocal.withInitial(() -> new byte[16 * CHUNK_LEN]);
  /** For {@link #transpose16}, 16 lanes only: lanes whose index has bit d set. */
  private static final VectorMask<Integer> M8 = laneBit(8);
  private static final VectorMask<Integer> M4 = laneBit(4);
  private static final VectorMask<Integer> M2 = laneBit(2);
  private static final VectorMask<Integer> M1 = laneBit(1);
  /** Lane k takes lane k - d (UP) or k + d (DOWN), mod 16. */
  private static final VectorShuffle<Integer> UP4 = rotation(-4);
  private static final VectorShuffle<Integer> UP2 = rotation(-2);
  private static final VectorShuffle<Integer> UP1 = rotation(-1);
  private static final VectorShuffle<Integer> DOWN4 = rotation(4);
  private static final VectorShuffle<Integer> DOWN2 = rotation(2);
  private static final VectorShuffle<Integer> DOWN1 = rotation(1);

  /** Per thread: the transposed message words of 16 blocks, the state, the lane counters. */
  private static final ThreadLocal<int[][]> SCRATCH =
      ThreadLocal.withInitial(() -> new int[][] {
        new int[16 * 16 * L], new int[8 * L], new int[2 * L], new int[16 * 16 * L]});

  private static VectorMask<Integer> laneBit(int d) {
    if (L != 16) {
      return null;
    }
    boolean[] bits = new boolean[L];
    for (int k = 0; k < L; k++) {
      bits[k] = (k & d) != 0;
    }
    return VectorMask.fromArray(S, bits, 0);
  }

  private static VectorShuffle<Integer> rotation(int by) {
    return L != 16 ? null : VectorShuffle.fromOp(S, k -> (k + by) & (L - 1));
  }

  private static int[] gatherMap() {
    int[] map = new int[L];
    for (int k = 0; k < L; k++) {
      map[k] = k * (CHUNK_LEN / 4);
    }
    return map;
  }

  private static int[] schedule() {
    int[] perm = {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8};
    int[] words = new int[16];
    for (int i = 0; i < 16; i++) {
      words[i] = i;
    }
    int[] offsets = new int[7 * 16];
    for (int r = 0; r < 7; r++) {
      for (int i = 0; i < 16; i++) {
        offsets[16 * r + i] = words[i] * L;
      }
      int[] next = new int[16];
      for (int i = 0; i < 16; i++) {
        next[i] = words[perm[i]];
      }
      words = next;
    }
    return offsets;
  }

  private static VectorSpecies<Integer> species() {
    int bits = IntVector.SPECIES_PREFERRED.vectorBitSize();
    return bits >= 512 ? IntVector.SPECIES_512 : bits >= 256 ? IntVector.SPECIES_256 : null;
  }

  /** The lanes of this machine, or null when its vectors are narrower than 256 bits. */
  static Blake3Lanes create() {
    return S == null ? null : new Blake3Simd();
  }

  private Blake3Simd() {}

  @Override
  public int lanes() {
    return L;
  }

  @Override
  public String describe() {
    return "SIMD, " + S.vectorBitSize() + "-bit vectors (" + L + " lanes)";
  }

  @Override
  public void chunkCvs(byte[] in, int off, int n, long counter, int[] cvs, int stride, int idx) {
    int[][] scratch = SCRATCH.get();
    int[] msg = scratch[0];
    int[] state = scratch[1];
    int[] ctr = scratch[2];
    int[] words = scratch[3];
    for (int base = 0; base < n; base += L) {
      int lanes = Math.min(L, n - base);
      if (L == 16) {
        byte[] src = in;
        int at = off + base * CHUNK_LEN;
        if (lanes < 16) {
          // A short group (the end of an update): its chunks copied to a 16-chunk buffer, the
          // other lanes hash stale bytes and their results are not stored.
          src = GROUP.get();
          System.arraycopy(in, at, src, 0, lanes * CHUNK_LEN);
          at = 0;
        }
        for (int b = 0; b < 16; b++) {
          transpose16(src, at, b, msg);
        }
      } else {
        // 8 lanes: the lanes' chunks as little-endian words (one bulk copy), then word w of
        // every lane gathered into one vector: msg[w * L + k] = word w of chunk k.
        ByteBuffer.wrap(in, off + base * CHUNK_LEN, lanes * CHUNK_LEN).order(ByteOrder.LITTLE_ENDIAN)
            .asIntBuffer().get(words, 0, lanes * 256);
        for (int w = 0; w < 256; w++) {
          IntVector.fromArray(S, words, w, GATHER, 0).intoArray(msg, w * L);
        }
      }
      for (int k = 0; k < lanes; k++) {
        long c = counter + base + k;
        ctr[k] = (int) c;
        ctr[L + k] = (int) (c >>> 32);
      }
      for (int w = 0; w < 8; w++) {
        IntVector.broadcast(S, IV[w]).intoArray(state, w * L);
      }
      compress(msg, 16, state, ctr, 0, CHUNK_START, CHUNK_END);
      for (int w = 0; w < 8; w++) {
        IntVector.fromArray(S, state, w * L).intoArray(cvs, w * stride + idx + base);
      }
    }
  }

  /**
   * Word j of block {@code b} of the 16 chunks at {@code p} (chunk k at {@code p + 1024 k}) into
   * {@code msg[(16 b + j) * 16 ..]}, lane k = chunk k: a 16 x 16 transpose in registers. The
   * first step (swapping the 8 x 8 quadrants) is done by the loads themselves, at offsets
   * shifted by 8 words, and a blend; the three others exchange 4, 2 and 1 lanes between pairs of
   * vectors with a lane rotation and a blend. Reads 32 bytes before chunk 8..15's block and after
   * chunk 0..7's: inside the 16 chunks.
   */
  private static void transpose16(byte[] in, int p, int b, int[] msg) {
    int o = p + 64 * b;
    IntVector x0 = ld(in, o + 0).blend(ld(in, o + 8160), M8);
    IntVector x8 = ld(in, o + 32).blend(ld(in, o + 8192), M8);
    IntVector x1 = ld(in, o + 1024).blend(ld(in, o + 9184), M8);
    IntVector x9 = ld(in, o + 1056).blend(ld(in, o + 9216), M8);
    IntVector x2 = ld(in, o + 2048).blend(ld(in, o + 10208), M8);
    IntVector x10 = ld(in, o + 2080).blend(ld(in, o + 10240), M8);
    IntVector x3 = ld(in, o + 3072).blend(ld(in, o + 11232), M8);
    IntVector x11 = ld(in, o + 3104).blend(ld(in, o + 11264), M8);
    IntVector x4 = ld(in, o + 4096).blend(ld(in, o + 12256), M8);
    IntVector x12 = ld(in, o + 4128).blend(ld(in, o + 12288), M8);
    IntVector x5 = ld(in, o + 5120).blend(ld(in, o + 13280), M8);
    IntVector x13 = ld(in, o + 5152).blend(ld(in, o + 13312), M8);
    IntVector x6 = ld(in, o + 6144).blend(ld(in, o + 14304), M8);
    IntVector x14 = ld(in, o + 6176).blend(ld(in, o + 14336), M8);
    IntVector x7 = ld(in, o + 7168).blend(ld(in, o + 15328), M8);
    IntVector x15 = ld(in, o + 7200).blend(ld(in, o + 15360), M8);
    IntVector y1a = x0.blend(x4.rearrange(UP4), M4);
    IntVector y1b = x0.rearrange(DOWN4).blend(x4, M4);
    IntVector y2a = x1.blend(x5.rearrange(UP4), M4);
    IntVector y2b = x1.rearrange(DOWN4).blend(x5, M4);
    IntVector y3a = x2.blend(x6.rearrange(UP4), M4);
    IntVector y3b = x2.rearrange(DOWN4).blend(x6, M4);
    IntVector y4a = x3.blend(x7.rearrange(UP4), M4);
    IntVector y4b = x3.rearrange(DOWN4).blend(x7, M4);
    IntVector y5a = x8.blend(x12.rearrange(UP4), M4);
    IntVector y5b = x8.rearrange(DOWN4).blend(x12, M4);
    IntVector y6a = x9.blend(x13.rearrange(UP4), M4);
    IntVector y6b = x9.rearrange(DOWN4).blend(x13, M4);
    IntVector y7a = x10.blend(x14.rearrange(UP4), M4);
    IntVector y7b = x10.rearrange(DOWN4).blend(x14, M4);
    IntVector y8a = x11.blend(x15.rearrange(UP4), M4);
    IntVector y8b = x11.rearrange(DOWN4).blend(x15, M4);
    IntVector y9a = y1a.blend(y3a.rearrange(UP2), M2);
    IntVector y9b = y1a.rearrange(DOWN2).blend(y3a, M2);
    IntVector y10a = y2a.blend(y4a.rearrange(UP2), M2);
    IntVector y10b = y2a.rearrange(DOWN2).blend(y4a, M2);
    IntVector y11a = y1b.blend(y3b.rearrange(UP2), M2);
    IntVector y11b = y1b.rearrange(DOWN2).blend(y3b, M2);
    IntVector y12a = y2b.blend(y4b.rearrange(UP2), M2);
    IntVector y12b = y2b.rearrange(DOWN2).blend(y4b, M2);
    IntVector y13a = y5a.blend(y7a.rearrange(UP2), M2);
    IntVector y13b = y5a.rearrange(DOWN2).blend(y7a, M2);
    IntVector y14a = y6a.blend(y8a.rearrange(UP2), M2);
    IntVector y14b = y6a.rearrange(DOWN2).blend(y8a, M2);
    IntVector y15a = y5b.blend(y7b.rearrange(UP2), M2);
    IntVector y15b = y5b.rearrange(DOWN2).blend(y7b, M2);
    IntVector y16a = y6b.blend(y8b.rearrange(UP2), M2);
    IntVector y16b = y6b.rearrange(DOWN2).blend(y8b, M2);
    IntVector y17a = y9a.blend(y10a.rearrange(UP1), M1);
    IntVector y17b = y9a.rearrange(DOWN1).blend(y10a, M1);
    IntVector y18a = y9b.blend(y10b.rearrange(UP1), M1);
    IntVector y18b = y9b.rearrange(DOWN1).blend(y10b, M1);
    IntVector y19a = y11a.blend(y12a.rearrange(UP1), M1);
    IntVector y19b = y11a.rearrange(DOWN1).blend(y12a, M1);
    IntVector y20a = y11b.blend(y12b.rearrange(UP1), M1);
    IntVector y20b = y11b.rearrange(DOWN1).blend(y12b, M1);
    IntVector y21a = y13a.blend(y14a.rearrange(UP1), M1);
    IntVector y21b = y13a.rearrange(DOWN1).blend(y14a, M1);
    IntVector y22a = y13b.blend(y14b.rearrange(UP1), M1);
    IntVector y22b = y13b.rearrange(DOWN1).blend(y14b, M1);
    IntVector y23a = y15a.blend(y16a.rearrange(UP1), M1);
    IntVector y23b = y15a.rearrange(DOWN1).blend(y16a, M1);
    IntVector y24a = y15b.blend(y16b.rearrange(UP1), M1);
    IntVector y24b = y15b.rearrange(DOWN1).blend(y16b, M1);
    int m = 256 * b;
    y17a.intoArray(msg, m + 0);
    y17b.intoArray(msg, m + 16);
    y18a.intoArray(msg, m + 32);
    y18b.intoArray(msg, m + 48);
    y19a.intoArray(msg, m + 64);
    y19b.intoArray(msg, m + 80);
    y20a.intoArray(msg, m + 96);
    y20b.intoArray(msg, m + 112);
    y21a.intoArray(msg, m + 128);
    y21b.intoArray(msg, m + 144);
    y22a.intoArray(msg, m + 160);
    y22b.intoArray(msg, m + 176);
    y23a.intoArray(msg, m + 192);
    y23b.intoArray(msg, m + 208);
    y24a.intoArray(msg, m + 224);
    y24b.intoArray(msg, m + 240);
  }

  private static IntVector ld(byte[] in, int off) {
    return IntVector.fromByteArray(S, in, off, ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public void parentCvs(int[] in, int inStride, int inIdx, int n, int[] out, int outStride) {
    int[][] scratch = SCRATCH.get();
    int[] msg = scratch[0];
    int[] state = scratch[1];
    int[] ctr = scratch[2];
    java.util.Arrays.fill(ctr, 0);
    for (int base = 0; base < n; base += L) {
      int lanes = Math.min(L, n - base);
      for (int w = 0; w < 8; w++) {
        int row = w * inStride + inIdx + 2 * base;
        for (int k = 0; k < lanes; k++) {
          msg[w * L + k] = in[row + 2 * k];
          msg[(w + 8) * L + k] = in[row + 2 * k + 1];
        }
      }
      for (int w = 0; w < 8; w++) {
        IntVector.broadcast(S, IV[w]).intoArray(state, w * L);
      }
      compress(msg, 1, state, ctr, PARENT, 0, 0);
      for (int w = 0; w < 8; w++) {
        IntVector.fromArray(S, state, w * L).intoArray(out, w * outStride + base);
      }
    }
  }

  /**
   * Compresses {@code blocks} full 64-byte blocks per lane (message words of block b, word j at
   * {@code msg[(16 * b + j) * L]}) into the lanes' chaining values in {@code state}; lane
   * counters in {@code ctr} (low words, then high words). The first block also gets
   * {@code firstFlags}, the last {@code lastFlags}.
   */
  private static void compress(int[] msg, int blocks, int[] state, int[] ctr, int flags,
      int firstFlags, int lastFlags) {
    IntVector h0 = IntVector.fromArray(S, state, 0);
    IntVector h1 = IntVector.fromArray(S, state, L);
    IntVector h2 = IntVector.fromArray(S, state, 2 * L);
    IntVector h3 = IntVector.fromArray(S, state, 3 * L);
    IntVector h4 = IntVector.fromArray(S, state, 4 * L);
    IntVector h5 = IntVector.fromArray(S, state, 5 * L);
    IntVector h6 = IntVector.fromArray(S, state, 6 * L);
    IntVector h7 = IntVector.fromArray(S, state, 7 * L);
    IntVector tLo = IntVector.fromArray(S, ctr, 0);
    IntVector tHi = IntVector.fromArray(S, ctr, L);
    IntVector blockLen = IntVector.broadcast(S, 64);
    for (int b = 0; b < blocks; b++) {
      int f = flags;
      if (b == 0) {
        f |= firstFlags;
      }
      if (b == blocks - 1) {
        f |= lastFlags;
      }
      int mo = 16 * b * L;
      IntVector v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
      IntVector v8 = IntVector.broadcast(S, IV[0]);
      IntVector v9 = IntVector.broadcast(S, IV[1]);
      IntVector v10 = IntVector.broadcast(S, IV[2]);
      IntVector v11 = IntVector.broadcast(S, IV[3]);
      IntVector v12 = tLo, v13 = tHi, v14 = blockLen;
      IntVector v15 = IntVector.broadcast(S, f);
      for (int so = 0; so < 7 * 16; so += 16) {
        v0 = v0.add(v4).add(IntVector.fromArray(S, msg, mo + SCHEDULE[so + 0]));
        v12 = v12.lanewise(XOR, v0).lanewise(ROR, 16);
        v8 = v8.add(v12);
        v4 = v4.lanewise(XOR, v8).lanewise(ROR, 12);
        v0 = v0.add(v4).add(IntVector.fromArray(S, msg, mo + SCHEDULE[so + 1]));
        v12 = v12.lanewise(XOR, v0).lanewise(ROR, 8);
        v8 = v8.add(v12);
        v4 = v4.lanewise(XOR, v8).lanewise(ROR, 7);
        v1 = v1.add(v5).add(IntVector.fromArray(S, msg, mo + SCHEDULE[so + 2]));
        v13 = v13.lanewise(XOR, v1).lanewise(ROR, 16);
        v9 = v9.add(v13);
        v5 = v5.lanewise(XOR, v9).lanewise(ROR, 12);
        v1 = v1.add(v5).add(IntVector.fromArray(S, msg, mo + SCHEDULE[so + 3]));
        v13 = v13.lanewise(XOR, v1).lanewise(ROR, 8);
        v9 = v9.add(v13);
        v5 = v5.lanewise(XOR, v9).lanewise(ROR, 7);
        v2 = v2.add(v6).add(IntVector.fromArray(S, msg, mo + SCHEDULE[so + 4]));
        v14 = v14.lanewise(XOR, v2).lanewise(ROR, 16);
        v10 = v10.add(v14);
        v6 = v6.lanewise(XOR, v10).lanewise(ROR, 12);
        v2 = v2.add(v6).add(IntVector.fromArray(S, msg, mo + SCHEDULE[so + 5]));
        v14 = v14.lanewise(XOR, v2).lanewise(ROR, 8);
        v10 = v10.add(v14);
        v6 = v6.lanewise(XOR, v10).lanewise(ROR, 7);
        v3 = v3.add(v7).add(IntVector.fromArray(S, msg, mo + SCHEDULE[so + 6]));
        v15 = v15.lanewise(XOR, v3).lanewise(ROR, 16);
        v11 = v11.add(v15);
        v7 = v7.lanewise(XOR, v11).lanewise(ROR, 12);
        v3 = v3.add(v7).add(IntVector.fromArray(S, msg, mo + SCHEDULE[so + 7]));
        v15 = v15.lanewise(XOR, v3).lanewise(ROR, 8);
        v11 = v11.add(v15);
        v7 = v7.lanewise(XOR, v11).lanewise(ROR, 7);
        v0 = v0.add(v5).add(IntVector.fromArray(S, msg, mo + SCHEDULE[so + 8]));
        v15 = v15.lanewise(XOR, v0).lanewise(ROR, 16);
        v10 = v10.add(v15);
        v5 = v5.lanewise(XOR, v10).lanewise(ROR, 12);
        v0 = v0.add(v5).add(IntVector.fromArray(S, msg, mo + SCHEDULE[so + 9]));
        v15 = v15.lanewise(XOR, v0).lanewise(ROR, 8);
        v10 = v10.add(v15);
        v5 = v5.lanewise(XOR, v10).lanewise(ROR, 7);
        v1 = v1.add(v6).add(IntVector.fromArray(S, msg, mo + SCHEDULE[so + 10]));
        v12 = v12.lanewise(XOR, v1).lanewise(ROR, 16);
        v11 = v11.add(v12);
        v6 = v6.lanewise(XOR, v11).lanewise(ROR, 12);
        v1 = v1.add(v6).add(IntVector.fromArray(S, msg, mo + SCHEDULE[so + 11]));
        v12 = v12.lanewise(XOR, v1).lanewise(ROR, 8);
        v11 = v11.add(v12);
        v6 = v6.lanewise(XOR, v11).lanewise(ROR, 7);
        v2 = v2.add(v7).add(IntVector.fromArray(S, msg, mo + SCHEDULE[so + 12]));
        v13 = v13.lanewise(XOR, v2).lanewise(ROR, 16);
        v8 = v8.add(v13);
        v7 = v7.lanewise(XOR, v8).lanewise(ROR, 12);
        v2 = v2.add(v7).add(IntVector.fromArray(S, msg, mo + SCHEDULE[so + 13]));
        v13 = v13.lanewise(XOR, v2).lanewise(ROR, 8);
        v8 = v8.add(v13);
        v7 = v7.lanewise(XOR, v8).lanewise(ROR, 7);
        v3 = v3.add(v4).add(IntVector.fromArray(S, msg, mo + SCHEDULE[so + 14]));
        v14 = v14.lanewise(XOR, v3).lanewise(ROR, 16);
        v9 = v9.add(v14);
        v4 = v4.lanewise(XOR, v9).lanewise(ROR, 12);
        v3 = v3.add(v4).add(IntVector.fromArray(S, msg, mo + SCHEDULE[so + 15]));
        v14 = v14.lanewise(XOR, v3).lanewise(ROR, 8);
        v9 = v9.add(v14);
        v4 = v4.lanewise(XOR, v9).lanewise(ROR, 7);
      }
      h0 = v0.lanewise(XOR, v8);
      h1 = v1.lanewise(XOR, v9);
      h2 = v2.lanewise(XOR, v10);
      h3 = v3.lanewise(XOR, v11);
      h4 = v4.lanewise(XOR, v12);
      h5 = v5.lanewise(XOR, v13);
      h6 = v6.lanewise(XOR, v14);
      h7 = v7.lanewise(XOR, v15);
    }
    h0.intoArray(state, 0);
    h1.intoArray(state, L);
    h2.intoArray(state, 2 * L);
    h3.intoArray(state, 3 * L);
    h4.intoArray(state, 4 * L);
    h5.intoArray(state, 5 * L);
    h6.intoArray(state, 6 * L);
    h7.intoArray(state, 7 * L);
  }
}
