package dev.cairn.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import dev.cairn.nix.RealNix;
import dev.cairn.server.http.ClientError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * Each decoder against what real Nix 2.8 writes ({@code nix copy --to file://…?compression=…}
 * makes the very files {@code nix copy --to http://…} uploads): fed in pieces of any size it
 * gives the NAR back; cut short, corrupted, followed by junk, asking for too much memory or
 * decoding past the limit, it fails with a client error naming the compression.
 */
class CompressionTest {
  @TempDir
  static Path tmp;

  private static byte[] nar;
  private static final Map<Compression, byte[]> FILES = new EnumMap<>(Compression.class);

  @BeforeAll
  static void nixWritesEveryCompression() throws Exception {
    RealNix nix = new RealNix(tmp.resolve("nix"));
    Path tree = Files.createDirectories(tmp.resolve("tree/sub"));
    StringBuilder text = new StringBuilder();
    Random random = new Random(9);
    for (int i = 0; i < 40_000; i++) {
      text.append(i).append(' ').append(random.nextInt(1000)).append('\n');
    }
    Files.writeString(tree.resolve("numbers"), text);
    byte[] noise = new byte[200_000];
    random.nextBytes(noise);
    Files.write(tmp.resolve("tree/noise"), noise);
    String path = nix.add(tmp.resolve("tree"));
    FILES.putAll(nix.narFiles(path, Compression.values()));
    nar = FILES.get(Compression.NONE);
    assertTrue(nar.length > 500_000);
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void decodesWhatNixWritesFedInPiecesOfAnySize(Compression c) throws Exception {
    for (int seed = 0; seed < 3; seed++) {
      assertArrayEquals(nar, decode(c, FILES.get(c), new Random(seed), Long.MAX_VALUE));
    }
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void refusesATruncatedStreamNamingTheCompression(Compression c) {
    byte[] file = FILES.get(c);
    for (int cut : new int[] {1, file.length / 2, file.length - 1}) {
      CorruptStreamException e = assertThrows(CorruptStreamException.class,
          () -> decode(c, Arrays.copyOf(file, cut), new Random(cut), Long.MAX_VALUE), c + " cut at " + cut);
      assertTrue(e.getMessage().contains(c.nixName()), e.getMessage());
      assertEquals(400, e.httpStatus());
    }
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = {"NONE", "BR", "ZSTD"}, mode = EnumSource.Mode.EXCLUDE)
  void refusesACorruptedStreamNamingTheCompression(Compression c) {
    // xz, bzip2 and gzip carry checksums; brotli does not, nor does the zstd Nix writes (no frame
    // checksum): there the NAR's hash catches it.
    byte[] file = FILES.get(c).clone();
    file[file.length / 2] ^= 0x55;
    CorruptStreamException e = assertThrows(CorruptStreamException.class, () -> decode(c, file, new Random(1), Long.MAX_VALUE));
    assertTrue(e.getMessage().contains(c.nixName()), e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = {"NONE", "ZSTD"}, mode = EnumSource.Mode.EXCLUDE)
  void refusesJunkAfterTheEndOfTheStream(Compression c) {
    byte[] file = FILES.get(c);
    byte[] junk = Arrays.copyOf(file, file.length + 3 * LookaheadDecoder.STEP);
    Arrays.fill(junk, file.length, junk.length, (byte) 'j');
    CorruptStreamException e = assertThrows(CorruptStreamException.class, () -> decode(c, junk, new Random(2), Long.MAX_VALUE));
    assertTrue(e.getMessage().contains(c.nixName()), e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void boundsTheDecodedSize(Compression c) {
    Exception e = assertThrows(IOException.class, () -> decode(c, FILES.get(c), new Random(3), nar.length - 1));
    assertEquals(413, ((ClientError) e).httpStatus());
    assertTrue(e.getMessage().contains("more than the limit of " + (nar.length - 1)), e.getMessage());
  }

  @Test
  void aFewKilobytesDecodingToManyMegabytesStopAtTheLimit() throws Exception {
    byte[] zeros = new byte[32 << 20];
    ByteArrayOutputStream xz = new ByteArrayOutputStream();
    try (XZOutputStream out = new XZOutputStream(xz, new LZMA2Options(0))) {
      out.write(zeros);
    }
    assertTrue(xz.size() < 64 << 10, "xz of 32 MiB of zeros is " + xz.size());
    for (Compression c : new Compression[] {Compression.XZ, Compression.ZSTD}) {
      byte[] file = c == Compression.XZ ? xz.toByteArray() : Zstd.compress(zeros, 3);
      long limit = 1 << 20;
      CountingSink sink = new CountingSink();
      IOException e = assertThrows(IOException.class, () -> {
        try (OutputStream d = c.decoder(sink, limit)) {
          d.write(file);
        }
      });
      assertEquals(413, ((ClientError) e).httpStatus(), c.nixName());
      assertTrue(sink.count <= limit, c + " wrote " + sink.count);
    }
  }

  @Test
  void refusesAnXzDictionaryLargerThanTheMemoryLimit() throws Exception {
    ByteArrayOutputStream xz = new ByteArrayOutputStream();
    try (XZOutputStream out = new XZOutputStream(xz, new LZMA2Options(0))) {
      out.write(nar);
    }
    byte[] file = xz.toByteArray();
    // The block header after the 12-byte stream header: size byte, flags, then the LZMA2 filter
    // (id 0x21, 1 property byte: the dictionary size). 36 declares 1 GiB.
    int header = 12;
    int headerSize = ((file[header] & 0xff) + 1) * 4;
    int props = indexOf(file, header, new byte[] {0x21, 0x01}) + 2;
    file[props] = 36;
    CRC32 crc = new CRC32();
    crc.update(file, header, headerSize - 4);
    ByteBuffer.wrap(file, header + headerSize - 4, 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
    CorruptStreamException e = assertThrows(CorruptStreamException.class, () -> decode(Compression.XZ, file, new Random(4), Long.MAX_VALUE));
    assertTrue(e.getMessage().contains("memory"), e.getMessage());
    assertEquals(400, e.httpStatus());
  }

  @Test
  void aPlainNarNameHoldsAnUncompressedNarOrGzip() throws Exception {
    for (Compression c : new Compression[] {Compression.NONE, Compression.GZIP}) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (OutputStream d = Compression.plainNameDecoder(out, Long.MAX_VALUE)) {
        d.write(FILES.get(c));
      }
      assertArrayEquals(nar, out.toByteArray(), c.nixName());
    }
    assertEquals(Compression.NONE, Compression.ofExtension("").orElseThrow());
    assertEquals(Compression.XZ, Compression.ofExtension(".xz").orElseThrow());
    assertEquals(Compression.BZIP2, Compression.ofNixName("Compression", "bzip2"));
  }

  private static byte[] decode(Compression c, byte[] file, Random pieces, long limit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream d = c.decoder(out, limit)) {
      for (int off = 0; off < file.length; ) {
        int n = Math.min(file.length - off, 1 + pieces.nextInt(pieces.nextBoolean() ? 100 : 200_000));
        d.write(file, off, n);
        off += n;
      }
    }
    return out.toByteArray();
  }

  private static int indexOf(byte[] in, int from, byte[] what) {
    for (int i = from; i < in.length - what.length; i++) {
      if (Arrays.equals(in, i, i + what.length, what, 0, what.length)) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }

  private static final class CountingSink extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }
}
