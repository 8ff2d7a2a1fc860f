package dev.cairn.castore;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * BLAKE3-256, written for speed in plain Java: the compression function is unrolled over local
 * ints (no per-block allocation, message words read straight from the input as little-endian
 * ints), whole 1 KiB chunks are hashed in a tight loop, and the chaining-value stack is
 * preallocated. Incremental; {@link #digest()} does not end the hash. Follows the BLAKE3
 * specification (chunks of 1 KiB, binary tree of parents, ROOT flag on the final compression).
 */
final class Blake3 {
  private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final int IV0 = 0x6A09E667;
  private static final int IV1 = 0xBB67AE85;
  private static final int IV2 = 0x3C6EF372;
  private static final int IV3 = 0xA54FF53A;
  private static final int IV4 = 0x510E527F;
  private static final int IV5 = 0x9B05688C;
  private static final int IV6 = 0x1F83D9AB;
  private static final int IV7 = 0x5BE0CD19;
  private static final int[] IV = {IV0, IV1, IV2, IV3, IV4, IV5, IV6, IV7};
  private static final int CHUNK_START = 1;
  private static final int CHUNK_END = 2;
  private static final int PARENT = 4;
  private static final int ROOT = 8;
  private static final int BLOCK = 64;
  private static final int CHUNK = 1024;

  /** Chaining values of completed subtrees; 54 levels cover 2^64 bytes. */
  private final int[] stack = new int[54 * 8];
  private int stackDepth;
  /** The current chunk's chaining value and its buffered (not yet compressed) block. */
  private final int[] cv = new int[8];
  private final byte[] block = new byte[BLOCK];
  private int blockLen;
  private int blocksCompressed;
  private long chunkCounter;
  private final int[] scratch = new int[8];

  Blake3() {
    reset();
  }

  void reset() {
    System.arraycopy(IV, 0, cv, 0, 8);
    blockLen = 0;
    blocksCompressed = 0;
    chunkCounter = 0;
    stackDepth = 0;
  }

  void update(byte[] in, int off, int len) {
    while (len > 0) {
      if (blockLen == BLOCK && blocksCompressed == 15) {
        // The chunk is complete and more input follows: it is not the root.
        finishChunk();
      }
      if (blockLen == 0 && blocksCompressed == 0 && len > CHUNK) {
        // Fast path: a whole chunk straight from the input, more input after it.
        int flags = CHUNK_START;
        int h0 = IV0, h1 = IV1, h2 = IV2, h3 = IV3, h4 = IV4, h5 = IV5, h6 = IV6, h7 = IV7;
        int[] out = scratch;
        for (int b = 0; b < 16; b++) {
          if (b == 15) {
            flags |= CHUNK_END;
          }
          compressBytes(h0, h1, h2, h3, h4, h5, h6, h7, in, off + b * BLOCK, chunkCounter, BLOCK, flags, out);
          h0 = out[0]; h1 = out[1]; h2 = out[2]; h3 = out[3]; h4 = out[4]; h5 = out[5]; h6 = out[6]; h7 = out[7];
          flags = 0;
        }
        pushChunk(out);
        off += CHUNK;
        len -= CHUNK;
        continue;
      }
      if (blockLen == BLOCK) {
        // A full block with more input after it: compress it (it is not the chunk's last).
        compressBytes(cv[0], cv[1], cv[2], cv[3], cv[4], cv[5], cv[6], cv[7], block, 0, chunkCounter, BLOCK,
            blocksCompressed == 0 ? CHUNK_START : 0, cv);
        blocksCompressed++;
        blockLen = 0;
      }
      int n = Math.min(BLOCK - blockLen, len);
      System.arraycopy(in, off, block, blockLen, n);
      blockLen += n;
      off += n;
      len -= n;
    }
  }

  void update(ByteBuffer data) {
    if (data.hasArray()) {
      update(data.array(), data.arrayOffset() + data.position(), data.remaining());
      data.position(data.limit());
    } else {
      byte[] copy = new byte[Math.min(data.remaining(), 64 * 1024)];
      while (data.hasRemaining()) {
        int n = Math.min(copy.length, data.remaining());
        data.get(copy, 0, n);
        update(copy, 0, n);
      }
    }
  }

  /** Compresses the buffered last block of the current chunk and adds its chaining value to the tree. */
  private void finishChunk() {
    int flags = CHUNK_END | (blocksCompressed == 0 ? CHUNK_START : 0);
    java.util.Arrays.fill(block, blockLen, BLOCK, (byte) 0);
    compressBytes(cv[0], cv[1], cv[2], cv[3], cv[4], cv[5], cv[6], cv[7], block, 0, chunkCounter, blockLen, flags, scratch);
    pushChunk(scratch);
    System.arraycopy(IV, 0, cv, 0, 8);
    blockLen = 0;
    blocksCompressed = 0;
  }

  /** Adds a completed chunk's chaining value, merging completed subtrees (one per trailing 1 bit). */
  private void pushChunk(int[] chunkCv) {
    int[] s = stack;
    System.arraycopy(chunkCv, 0, s, stackDepth * 8, 8);
    stackDepth++;
    chunkCounter++;
    long total = chunkCounter;
    while ((total & 1) == 0) {
      int l = (stackDepth - 2) * 8;
      int r = l + 8;
      compress(IV0, IV1, IV2, IV3, IV4, IV5, IV6, IV7, s[l], s[l + 1], s[l + 2], s[l + 3], s[l + 4], s[l + 5], s[l + 6], s[l + 7],
          s[r], s[r + 1], s[r + 2], s[r + 3], s[r + 4], s[r + 5], s[r + 6], s[r + 7], 0L, BLOCK, PARENT, s, l);
      stackDepth--;
      total >>= 1;
    }
  }

  /** The BLAKE3-256 of everything so far; hashing may go on afterwards. */
  byte[] digest() {
    byte[] last = java.util.Arrays.copyOf(block, BLOCK);
    java.util.Arrays.fill(last, blockLen, BLOCK, (byte) 0);
    int flags = CHUNK_END | (blocksCompressed == 0 ? CHUNK_START : 0);
    int[] out = new int[8];
    if (stackDepth == 0) {
      compressBytes(cv[0], cv[1], cv[2], cv[3], cv[4], cv[5], cv[6], cv[7], last, 0, chunkCounter, blockLen, flags | ROOT, out);
      return bytes(out);
    }
    int[] node = new int[8];
    compressBytes(cv[0], cv[1], cv[2], cv[3], cv[4], cv[5], cv[6], cv[7], last, 0, chunkCounter, blockLen, flags, node);
    for (int i = stackDepth - 1; i >= 0; i--) {
      int l = i * 8;
      int[] s = stack;
      compress(IV0, IV1, IV2, IV3, IV4, IV5, IV6, IV7, s[l], s[l + 1], s[l + 2], s[l + 3], s[l + 4], s[l + 5], s[l + 6], s[l + 7],
          node[0], node[1], node[2], node[3], node[4], node[5], node[6], node[7], 0L, BLOCK, PARENT | (i == 0 ? ROOT : 0), node, 0);
    }
    return bytes(node);
  }

  private static byte[] bytes(int[] words) {
    byte[] out = new byte[32];
    for (int i = 0; i < 8; i++) {
      INT_LE.set(out, i * 4, words[i]);
    }
    return out;
  }

  private static void compressBytes(int h0, int h1, int h2, int h3, int h4, int h5, int h6, int h7, byte[] b, int o, long counter, int len,
                                    int flags, int[] out) {
    compress(h0, h1, h2, h3, h4, h5, h6, h7,
        (int) INT_LE.get(b, o), (int) INT_LE.get(b, o + 4), (int) INT_LE.get(b, o + 8), (int) INT_LE.get(b, o + 12),
        (int) INT_LE.get(b, o + 16), (int) INT_LE.get(b, o + 20), (int) INT_LE.get(b, o + 24), (int) INT_LE.get(b, o + 28),
        (int) INT_LE.get(b, o + 32), (int) INT_LE.get(b, o + 36), (int) INT_LE.get(b, o + 40), (int) INT_LE.get(b, o + 44),
        (int) INT_LE.get(b, o + 48), (int) INT_LE.get(b, o + 52), (int) INT_LE.get(b, o + 56), (int) INT_LE.get(b, o + 60),
        counter, len, flags, out, 0);
  }

  /** The compression function, seven rounds unrolled; writes the 8-word chaining value to out[outOff..]. */
  private static void compress(int h0, int h1, int h2, int h3, int h4, int h5, int h6, int h7, int m0, int m1, int m2, int m3, int m4, int m5, int m6, int m7, int m8, int m9, int m10, int m11, int m12, int m13, int m14, int m15,
                               long counter, int len, int flags, int[] out, int outOff) {
    int s0 = h0, s1 = h1, s2 = h2, s3 = h3, s4 = h4, s5 = h5, s6 = h6, s7 = h7;
    int s8 = IV0, s9 = IV1, s10 = IV2, s11 = IV3;
    int s12 = (int) counter, s13 = (int) (counter >>> 32), s14 = len, s15 = flags;
    // round 1
    s0 += s4 + m0;
    s12 = Integer.rotateRight(s12 ^ s0, 16);
    s8 += s12;
    s4 = Integer.rotateRight(s4 ^ s8, 12);
    s0 += s4 + m1;
    s12 = Integer.rotateRight(s12 ^ s0, 8);
    s8 += s12;
    s4 = Integer.rotateRight(s4 ^ s8, 7);
    s1 += s5 + m2;
    s13 = Integer.rotateRight(s13 ^ s1, 16);
    s9 += s13;
    s5 = Integer.rotateRight(s5 ^ s9, 12);
    s1 += s5 + m3;
    s13 = Integer.rotateRight(s13 ^ s1, 8);
    s9 += s13;
    s5 = Integer.rotateRight(s5 ^ s9, 7);
    s2 += s6 + m4;
    s14 = Integer.rotateRight(s14 ^ s2, 16);
    s10 += s14;
    s6 = Integer.rotateRight(s6 ^ s10, 12);
    s2 += s6 + m5;
    s14 = Integer.rotateRight(s14 ^ s2, 8);
    s10 += s14;
    s6 = Integer.rotateRight(s6 ^ s10, 7);
    s3 += s7 + m6;
    s15 = Integer.rotateRight(s15 ^ s3, 16);
    s11 += s15;
    s7 = Integer.rotateRight(s7 ^ s11, 12);
    s3 += s7 + m7;
    s15 = Integer.rotateRight(s15 ^ s3, 8);
    s11 += s15;
    s7 = Integer.rotateRight(s7 ^ s11, 7);
    s0 += s5 + m8;
    s15 = Integer.rotateRight(s15 ^ s0, 16);
    s10 += s15;
    s5 = Integer.rotateRight(s5 ^ s10, 12);
    s0 += s5 + m9;
    s15 = Integer.rotateRight(s15 ^ s0, 8);
    s10 += s15;
    s5 = Integer.rotateRight(s5 ^ s10, 7);
    s1 += s6 + m10;
    s12 = Integer.rotateRight(s12 ^ s1, 16);
    s11 += s12;
    s6 = Integer.rotateRight(s6 ^ s11, 12);
    s1 += s6 + m11;
    s12 = Integer.rotateRight(s12 ^ s1, 8);
    s11 += s12;
    s6 = Integer.rotateRight(s6 ^ s11, 7);
    s2 += s7 + m12;
    s13 = Integer.rotateRight(s13 ^ s2, 16);
    s8 += s13;
    s7 = Integer.rotateRight(s7 ^ s8, 12);
    s2 += s7 + m13;
    s13 = Integer.rotateRight(s13 ^ s2, 8);
    s8 += s13;
    s7 = Integer.rotateRight(s7 ^ s8, 7);
    s3 += s4 + m14;
    s14 = Integer.rotateRight(s14 ^ s3, 16);
    s9 += s14;
    s4 = Integer.rotateRight(s4 ^ s9, 12);
    s3 += s4 + m15;
    s14 = Integer.rotateRight(s14 ^ s3, 8);
    s9 += s14;
    s4 = Integer.rotateRight(s4 ^ s9, 7);
    // round 2
    s0 += s4 + m2;
    s12 = Integer.rotateRight(s12 ^ s0, 16);
    s8 += s12;
    s4 = Integer.rotateRight(s4 ^ s8, 12);
    s0 += s4 + m6;
    s12 = Integer.rotateRight(s12 ^ s0, 8);
    s8 += s12;
    s4 = Integer.rotateRight(s4 ^ s8, 7);
    s1 += s5 + m3;
    s13 = Integer.rotateRight(s13 ^ s1, 16);
    s9 += s13;
    s5 = Integer.rotateRight(s5 ^ s9, 12);
    s1 += s5 + m10;
    s13 = Integer.rotateRight(s13 ^ s1, 8);
    s9 += s13;
    s5 = Integer.rotateRight(s5 ^ s9, 7);
    s2 += s6 + m7;
    s14 = Integer.rotateRight(s14 ^ s2, 16);
    s10 += s14;
    s6 = Integer.rotateRight(s6 ^ s10, 12);
    s2 += s6 + m0;
    s14 = Integer.rotateRight(s14 ^ s2, 8);
    s10 += s14;
    s6 = Integer.rotateRight(s6 ^ s10, 7);
    s3 += s7 + m4;
    s15 = Integer.rotateRight(s15 ^ s3, 16);
    s11 += s15;
    s7 = Integer.rotateRight(s7 ^ s11, 12);
    s3 += s7 + m13;
    s15 = Integer.rotateRight(s15 ^ s3, 8);
    s11 += s15;
    s7 = Integer.rotateRight(s7 ^ s11, 7);
    s0 += s5 + m1;
    s15 = Integer.rotateRight(s15 ^ s0, 16);
    s10 += s15;
    s5 = Integer.rotateRight(s5 ^ s10, 12);
    s0 += s5 + m11;
    s15 = Integer.rotateRight(s15 ^ s0, 8);
    s10 += s15;
    s5 = Integer.rotateRight(s5 ^ s10, 7);
    s1 += s6 + m12;
    s12 = Integer.rotateRight(s12 ^ s1, 16);
    s11 += s12;
    s6 = Integer.rotateRight(s6 ^ s11, 12);
    s1 += s6 + m5;
    s12 = Integer.rotateRight(s12 ^ s1, 8);
    s11 += s12;
    s6 = Integer.rotateRight(s6 ^ s11, 7);
    s2 += s7 + m9;
    s13 = Integer.rotateRight(s13 ^ s2, 16);
    s8 += s13;
    s7 = Integer.rotateRight(s7 ^ s8, 12);
    s2 += s7 + m14;
    s13 = Integer.rotateRight(s13 ^ s2, 8);
    s8 += s13;
    s7 = Integer.rotateRight(s7 ^ s8, 7);
    s3 += s4 + m15;
    s14 = Integer.rotateRight(s14 ^ s3, 16);
    s9 += s14;
    s4 = Integer.rotateRight(s4 ^ s9, 12);
    s3 += s4 + m8;
    s14 = Integer.rotateRight(s14 ^ s3, 8);
    s9 += s14;
    s4 = Integer.rotateRight(s4 ^ s9, 7);
    // round 3
    s0 += s4 + m3;
    s12 = Integer.rotateRight(s12 ^ s0, 16);
    s8 += s12;
    s4 = Integer.rotateRight(s4 ^ s8, 12);
    s0 += s4 + m4;
    s12 = Integer.rotateRight(s12 ^ s0, 8);
    s8 += s12;
    s4 = Integer.rotateRight(s4 ^ s8, 7);
    s1 += s5 + m10;
    s13 = Integer.rotateRight(s13 ^ s1, 16);
    s9 += s13;
    s5 = Integer.rotateRight(s5 ^ s9, 12);
    s1 += s5 + m12;
    s13 = Integer.rotateRight(s13 ^ s1, 8);
    s9 += s13;
    s5 = Integer.rotateRight(s5 ^ s9, 7);
    s2 += s6 + m13;
    s14 = Integer.rotateRight(s14 ^ s2, 16);
    s10 += s14;
    s6 = Integer.rotateRight(s6 ^ s10, 12);
    s2 += s6 + m2;
    s14 = Integer.rotateRight(s14 ^ s2, 8);
    s10 += s14;
    s6 = Integer.rotateRight(s6 ^ s10, 7);
    s3 += s7 + m7;
    s15 = Integer.rotateRight(s15 ^ s3, 16);
    s11 += s15;
    s7 = Integer.rotateRight(s7 ^ s11, 12);
    s3 += s7 + m14;
    s15 = Integer.rotateRight(s15 ^ s3, 8);
    s11 += s15;
    s7 = Integer.rotateRight(s7 ^ s11, 7);
    s0 += s5 + m6;
    s15 = Integer.rotateRight(s15 ^ s0, 16);
    s10 += s15;
    s5 = Integer.rotateRight(s5 ^ s10, 12);
    s0 += s5 + m5;
    s15 = Integer.rotateRight(s15 ^ s0, 8);
    s10 += s15;
    s5 = Integer.rotateRight(s5 ^ s10, 7);
    s1 += s6 + m9;
    s12 = Integer.rotateRight(s12 ^ s1, 16);
    s11 += s12;
    s6 = Integer.rotateRight(s6 ^ s11, 12);
    s1 += s6 + m0;
    s12 = Integer.rotateRight(s12 ^ s1, 8);
    s11 += s12;
    s6 = Integer.rotateRight(s6 ^ s11, 7);
    s2 += s7 + m11;
    s13 = Integer.rotateRight(s13 ^ s2, 16);
    s8 += s13;
    s7 = Integer.rotateRight(s7 ^ s8, 12);
    s2 += s7 + m15;
    s13 = Integer.rotateRight(s13 ^ s2, 8);
    s8 += s13;
    s7 = Integer.rotateRight(s7 ^ s8, 7);
    s3 += s4 + m8;
    s14 = Integer.rotateRight(s14 ^ s3, 16);
    s9 += s14;
    s4 = Integer.rotateRight(s4 ^ s9, 12);
    s3 += s4 + m1;
    s14 = Integer.rotateRight(s14 ^ s3, 8);
    s9 += s14;
    s4 = Integer.rotateRight(s4 ^ s9, 7);
    // round 4
    s0 += s4 + m10;
    s12 = Integer.rotateRight(s12 ^ s0, 16);
    s8 += s12;
    s4 = Integer.rotateRight(s4 ^ s8, 12);
    s0 += s4 + m7;
    s12 = Integer.rotateRight(s12 ^ s0, 8);
    s8 += s12;
    s4 = Integer.rotateRight(s4 ^ s8, 7);
    s1 += s5 + m12;
    s13 = Integer.rotateRight(s13 ^ s1, 16);
    s9 += s13;
    s5 = Integer.rotateRight(s5 ^ s9, 12);
    s1 += s5 + m9;
    s13 = Integer.rotateRight(s13 ^ s1, 8);
    s9 += s13;
    s5 = Integer.rotateRight(s5 ^ s9, 7);
    s2 += s6 + m14;
    s14 = Integer.rotateRight(s14 ^ s2, 16);
    s10 += s14;
    s6 = Integer.rotateRight(s6 ^ s10, 12);
    s2 += s6 + m3;
    s14 = Integer.rotateRight(s14 ^ s2, 8);
    s10 += s14;
    s6 = Integer.rotateRight(s6 ^ s10, 7);
    s3 += s7 + m13;
    s15 = Integer.rotateRight(s15 ^ s3, 16);
    s11 += s15;
    s7 = Integer.rotateRight(s7 ^ s11, 12);
    s3 += s7 + m15;
    s15 = Integer.rotateRight(s15 ^ s3, 8);
    s11 += s15;
    s7 = Integer.rotateRight(s7 ^ s11, 7);
    s0 += s5 + m4;
    s15 = Integer.rotateRight(s15 ^ s0, 16);
    s10 += s15;
    s5 = Integer.rotateRight(s5 ^ s10, 12);
    s0 += s5 + m0;
    s15 = Integer.rotateRight(s15 ^ s0, 8);
    s10 += s15;
    s5 = Integer.rotateRight(s5 ^ s10, 7);
    s1 += s6 + m11;
    s12 = Integer.rotateRight(s12 ^ s1, 16);
    s11 += s12;
    s6 = Integer.rotateRight(s6 ^ s11, 12);
    s1 += s6 + m2;
    s12 = Integer.rotateRight(s12 ^ s1, 8);
    s11 += s12;
    s6 = Integer.rotateRight(s6 ^ s11, 7);
    s2 += s7 + m5;
    s13 = Integer.rotateRight(s13 ^ s2, 16);
    s8 += s13;
    s7 = Integer.rotateRight(s7 ^ s8, 12);
    s2 += s7 + m8;
    s13 = Integer.rotateRight(s13 ^ s2, 8);
    s8 += s13;
    s7 = Integer.rotateRight(s7 ^ s8, 7);
    s3 += s4 + m1;
    s14 = Integer.rotateRight(s14 ^ s3, 16);
    s9 += s14;
    s4 = Integer.rotateRight(s4 ^ s9, 12);
    s3 += s4 + m6;
    s14 = Integer.rotateRight(s14 ^ s3, 8);
    s9 += s14;
    s4 = Integer.rotateRight(s4 ^ s9, 7);
    // round 5
    s0 += s4 + m12;
    s12 = Integer.rotateRight(s12 ^ s0, 16);
    s8 += s12;
    s4 = Integer.rotateRight(s4 ^ s8, 12);
    s0 += s4 + m13;
    s12 = Integer.rotateRight(s12 ^ s0, 8);
    s8 += s12;
    s4 = Integer.rotateRight(s4 ^ s8, 7);
    s1 += s5 + m9;
    s13 = Integer.rotateRight(s13 ^ s1, 16);
    s9 += s13;
    s5 = Integer.rotateRight(s5 ^ s9, 12);
    s1 += s5 + m11;
    s13 = Integer.rotateRight(s13 ^ s1, 8);
    s9 += s13;
    s5 = Integer.rotateRight(s5 ^ s9, 7);
    s2 += s6 + m15;
    s14 = Integer.rotateRight(s14 ^ s2, 16);
    s10 += s14;
    s6 = Integer.rotateRight(s6 ^ s10, 12);
    s2 += s6 + m10;
    s14 = Integer.rotateRight(s14 ^ s2, 8);
    s10 += s14;
    s6 = Integer.rotateRight(s6 ^ s10, 7);
    s3 += s7 + m14;
    s15 = Integer.rotateRight(s15 ^ s3, 16);
    s11 += s15;
    s7 = Integer.rotateRight(s7 ^ s11, 12);
    s3 += s7 + m8;
    s15 = Integer.rotateRight(s15 ^ s3, 8);
    s11 += s15;
    s7 = Integer.rotateRight(s7 ^ s11, 7);
    s0 += s5 + m7;
    s15 = Integer.rotateRight(s15 ^ s0, 16);
    s10 += s15;
    s5 = Integer.rotateRight(s5 ^ s10, 12);
    s0 += s5 + m2;
    s15 = Integer.rotateRight(s15 ^ s0, 8);
    s10 += s15;
    s5 = Integer.rotateRight(s5 ^ s10, 7);
    s1 += s6 + m5;
    s12 = Integer.rotateRight(s12 ^ s1, 16);
    s11 += s12;
    s6 = Integer.rotateRight(s6 ^ s11, 12);
    s1 += s6 + m3;
    s12 = Integer.rotateRight(s12 ^ s1, 8);
    s11 += s12;
    s6 = Integer.rotateRight(s6 ^ s11, 7);
    s2 += s7 + m0;
    s13 = Integer.rotateRight(s13 ^ s2, 16);
    s8 += s13;
    s7 = Integer.rotateRight(s7 ^ s8, 12);
    s2 += s7 + m1;
    s13 = Integer.rotateRight(s13 ^ s2, 8);
    s8 += s13;
    s7 = Integer.rotateRight(s7 ^ s8, 7);
    s3 += s4 + m6;
    s14 = Integer.rotateRight(s14 ^ s3, 16);
    s9 += s14;
    s4 = Integer.rotateRight(s4 ^ s9, 12);
    s3 += s4 + m4;
    s14 = Integer.rotateRight(s14 ^ s3, 8);
    s9 += s14;
    s4 = Integer.rotateRight(s4 ^ s9, 7);
    // round 6
    s0 += s4 + m9;
    s12 = Integer.rotateRight(s12 ^ s0, 16);
    s8 += s12;
    s4 = Integer.rotateRight(s4 ^ s8, 12);
    s0 += s4 + m14;
    s12 = Integer.rotateRight(s12 ^ s0, 8);
    s8 += s12;
    s4 = Integer.rotateRight(s4 ^ s8, 7);
    s1 += s5 + m11;
    s13 = Integer.rotateRight(s13 ^ s1, 16);
    s9 += s13;
    s5 = Integer.rotateRight(s5 ^ s9, 12);
    s1 += s5 + m5;
    s13 = Integer.rotateRight(s13 ^ s1, 8);
    s9 += s13;
    s5 = Integer.rotateRight(s5 ^ s9, 7);
    s2 += s6 + m8;
    s14 = Integer.rotateRight(s14 ^ s2, 16);
    s10 += s14;
    s6 = Integer.rotateRight(s6 ^ s10, 12);
    s2 += s6 + m12;
    s14 = Integer.rotateRight(s14 ^ s2, 8);
    s10 += s14;
    s6 = Integer.rotateRight(s6 ^ s10, 7);
    s3 += s7 + m15;
    s15 = Integer.rotateRight(s15 ^ s3, 16);
    s11 += s15;
    s7 = Integer.rotateRight(s7 ^ s11, 12);
    s3 += s7 + m1;
    s15 = Integer.rotateRight(s15 ^ s3, 8);
    s11 += s15;
    s7 = Integer.rotateRight(s7 ^ s11, 7);
    s0 += s5 + m13;
    s15 = Integer.rotateRight(s15 ^ s0, 16);
    s10 += s15;
    s5 = Integer.rotateRight(s5 ^ s10, 12);
    s0 += s5 + m3;
    s15 = Integer.rotateRight(s15 ^ s0, 8);
    s10 += s15;
    s5 = Integer.rotateRight(s5 ^ s10, 7);
    s1 += s6 + m0;
    s12 = Integer.rotateRight(s12 ^ s1, 16);
    s11 += s12;
    s6 = Integer.rotateRight(s6 ^ s11, 12);
    s1 += s6 + m10;
    s12 = Integer.rotateRight(s12 ^ s1, 8);
    s11 += s12;
    s6 = Integer.rotateRight(s6 ^ s11, 7);
    s2 += s7 + m2;
    s13 = Integer.rotateRight(s13 ^ s2, 16);
    s8 += s13;
    s7 = Integer.rotateRight(s7 ^ s8, 12);
    s2 += s7 + m6;
    s13 = Integer.rotateRight(s13 ^ s2, 8);
    s8 += s13;
    s7 = Integer.rotateRight(s7 ^ s8, 7);
    s3 += s4 + m4;
    s14 = Integer.rotateRight(s14 ^ s3, 16);
    s9 += s14;
    s4 = Integer.rotateRight(s4 ^ s9, 12);
    s3 += s4 + m7;
    s14 = Integer.rotateRight(s14 ^ s3, 8);
    s9 += s14;
    s4 = Integer.rotateRight(s4 ^ s9, 7);
    // round 7
    s0 += s4 + m11;
    s12 = Integer.rotateRight(s12 ^ s0, 16);
    s8 += s12;
    s4 = Integer.rotateRight(s4 ^ s8, 12);
    s0 += s4 + m15;
    s12 = Integer.rotateRight(s12 ^ s0, 8);
    s8 += s12;
    s4 = Integer.rotateRight(s4 ^ s8, 7);
    s1 += s5 + m5;
    s13 = Integer.rotateRight(s13 ^ s1, 16);
    s9 += s13;
    s5 = Integer.rotateRight(s5 ^ s9, 12);
    s1 += s5 + m0;
    s13 = Integer.rotateRight(s13 ^ s1, 8);
    s9 += s13;
    s5 = Integer.rotateRight(s5 ^ s9, 7);
    s2 += s6 + m1;
    s14 = Integer.rotateRight(s14 ^ s2, 16);
    s10 += s14;
    s6 = Integer.rotateRight(s6 ^ s10, 12);
    s2 += s6 + m9;
    s14 = Integer.rotateRight(s14 ^ s2, 8);
    s10 += s14;
    s6 = Integer.rotateRight(s6 ^ s10, 7);
    s3 += s7 + m8;
    s15 = Integer.rotateRight(s15 ^ s3, 16);
    s11 += s15;
    s7 = Integer.rotateRight(s7 ^ s11, 12);
    s3 += s7 + m6;
    s15 = Integer.rotateRight(s15 ^ s3, 8);
    s11 += s15;
    s7 = Integer.rotateRight(s7 ^ s11, 7);
    s0 += s5 + m14;
    s15 = Integer.rotateRight(s15 ^ s0, 16);
    s10 += s15;
    s5 = Integer.rotateRight(s5 ^ s10, 12);
    s0 += s5 + m10;
    s15 = Integer.rotateRight(s15 ^ s0, 8);
    s10 += s15;
    s5 = Integer.rotateRight(s5 ^ s10, 7);
    s1 += s6 + m2;
    s12 = Integer.rotateRight(s12 ^ s1, 16);
    s11 += s12;
    s6 = Integer.rotateRight(s6 ^ s11, 12);
    s1 += s6 + m12;
    s12 = Integer.rotateRight(s12 ^ s1, 8);
    s11 += s12;
    s6 = Integer.rotateRight(s6 ^ s11, 7);
    s2 += s7 + m3;
    s13 = Integer.rotateRight(s13 ^ s2, 16);
    s8 += s13;
    s7 = Integer.rotateRight(s7 ^ s8, 12);
    s2 += s7 + m4;
    s13 = Integer.rotateRight(s13 ^ s2, 8);
    s8 += s13;
    s7 = Integer.rotateRight(s7 ^ s8, 7);
    s3 += s4 + m7;
    s14 = Integer.rotateRight(s14 ^ s3, 16);
    s9 += s14;
    s4 = Integer.rotateRight(s4 ^ s9, 12);
    s3 += s4 + m13;
    s14 = Integer.rotateRight(s14 ^ s3, 8);
    s9 += s14;
    s4 = Integer.rotateRight(s4 ^ s9, 7);
    out[outOff] = s0 ^ s8;
    out[outOff + 1] = s1 ^ s9;
    out[outOff + 2] = s2 ^ s10;
    out[outOff + 3] = s3 ^ s11;
    out[outOff + 4] = s4 ^ s12;
    out[outOff + 5] = s5 ^ s13;
    out[outOff + 6] = s6 ^ s14;
    out[outOff + 7] = s7 ^ s15;
  }
}
