package dev.cairn.castore;

/**
 * Content-defined chunking with FastCDC (Xia et al., USENIX ATC 2016): a gear rolling hash,
 * cut-point skipping below {@code min}, and normalized chunking (a stricter mask before
 * {@code avg}, a looser one after) so sizes cluster around {@code avg}.
 *
 * <p>Boundaries depend only on content: the same bytes give the same chunks in every upload,
 * which is what makes chunks dedup across blobs. The gear table and masks are therefore part
 * of the storage format — changing them does not break reads, but stops new uploads from
 * sharing chunks with old ones.
 */
public final class FastCdc {
  /**
   * Chunk size bounds in bytes. Defaults 64 KiB / 256 KiB / 1 MiB: min = avg/4, max = avg·4 as
   * FastCDC recommends. 256 KiB average keeps per-chunk overhead small (one file plus one index
   * line each, ~4 000 chunks per GiB) while still finding shared runs inside large, similar
   * files (rebuilt outputs that differ in a few bytes); 1 MiB max bounds the memory of every
   * reader and writer and the unit re-hashed to verify a ranged read.
   */
  public record Params(int min, int avg, int max) {
    public static final Params DEFAULT = new Params(64 * 1024, 256 * 1024, 1024 * 1024);

    public Params {
      if (min < 64 || !(min < avg && avg < max) || Integer.bitCount(avg) != 1) {
        throw new IllegalArgumentException(
            "chunk sizes need 64 <= min < avg < max and avg a power of two: " + min + "/" + avg + "/" + max);
      }
    }
  }

  private static final long[] GEAR = gearTable();

  private final Params params;
  private final long maskSmall;
  private final long maskLarge;

  public FastCdc(Params params) {
    this.params = params;
    int bits = Integer.numberOfTrailingZeros(params.avg());
    // Normalization level 2; the masks take the high bits, which depend on the last 64 bytes
    // (low bits of a gear hash depend only on the last few).
    this.maskSmall = -1L << (64 - (bits + 2));
    this.maskLarge = -1L << (64 - (bits - 2));
  }

  public Params params() {
    return params;
  }

  /**
   * The length of the first chunk of {@code data[offset, offset+length)}. Callers pass at least
   * {@code max} bytes unless the data ends sooner, so the answer never depends on how the data
   * arrived.
   */
  public int cut(byte[] data, int offset, int length) {
    if (length <= params.min()) {
      return length;
    }
    int end = Math.min(length, params.max());
    int normal = Math.min(params.avg(), end);
    long hash = 0;
    int i = params.min();
    for (; i < normal; i++) {
      hash = (hash << 1) + GEAR[data[offset + i] & 0xff];
      if ((hash & maskSmall) == 0) {
        return i + 1;
      }
    }
    for (; i < end; i++) {
      hash = (hash << 1) + GEAR[data[offset + i] & 0xff];
      if ((hash & maskLarge) == 0) {
        return i + 1;
      }
    }
    return end;
  }

  /** 256 pseudo-random words from SplitMix64 with a fixed seed: frozen, see the class note. */
  private static long[] gearTable() {
    long[] table = new long[256];
    long state = 0x636169726e636463L; // "cairncdc"
    for (int i = 0; i < table.length; i++) {
      state += 0x9e3779b97f4a7c15L;
      long z = state;
      z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
      z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
      table[i] = z ^ (z >>> 31);
    }
    return table;
  }
}
