package dev.cairn.compression;

import dev.cairn.validation.ValidationException;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.brotli.dec.BrotliInputStream;
import org.tukaani.xz.XZInputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * The compressions of Nix's binary cache protocol: the narinfo's {@code Compression:} name and
 * the file extension {@code nix copy --to 'http://…?compression=…'} appends to a NAR's name.
 * {@link #decoder} is push-shaped: bytes written to it come out decompressed into the target, so
 * a streamed upload or an upstream download decodes as it arrives. The decoder's
 * {@code close()} ends the input, fails with {@link CorruptStreamException} on a truncated
 * stream, and never closes the target.
 */
public enum Compression {
  NONE("none", ""),
  ZSTD("zstd", ".zst"),
  /** Nix's default for {@code nix copy --to http://…}. */
  XZ("xz", ".xz"),
  BZIP2("bzip2", ".bz2"),
  /**
   * Nix names a gzip NAR {@code <hash>.nar}, like an uncompressed one (no extension in its
   * binary cache store): {@link #ofExtension} never answers GZIP, and an upload named
   * {@code .nar} is told apart by its first byte ({@link #plainNameDecoder}).
   */
  GZIP("gzip", ""),
  BR("br", ".br");

  /**
   * The xz decoder's memory limit: what the largest preset ({@code xz -9}, a 64 MiB dictionary)
   * needs, so that a stream declaring a larger dictionary is refused before it is allocated.
   */
  static final int XZ_MEMORY_LIMIT_KIB = 66 << 10;
  private static final int INFLATE_BUFFER = 64 << 10;

  private final String nixName;
  private final String extension;

  Compression(String nixName, String extension) {
    this.nixName = nixName;
    this.extension = extension;
  }

  /** The name a narinfo's {@code Compression:} field carries. */
  public String nixName() {
    return nixName;
  }

  /** What Nix appends to {@code <hash>.nar} for this compression ({@code ""} for none). */
  public String extension() {
    return extension;
  }

  /** The decoder writing the decompressed stream to {@code target}. */
  public OutputStream decoder(OutputStream target) {
    return switch (this) {
      case NONE -> new NonClosing(target);
      case ZSTD -> new ZstdDecodingStream(target);
      case XZ -> new LookaheadDecoder(nixName, target, in -> new XZInputStream(in, XZ_MEMORY_LIMIT_KIB));
      case BZIP2 -> new LookaheadDecoder(nixName, target, in -> new BZip2CompressorInputStream(in, true));
      case GZIP -> new LookaheadDecoder(nixName, target, in -> new GZIPInputStream(in, INFLATE_BUFFER));
      case BR -> new LookaheadDecoder(nixName, target, BrotliInputStream::new);
    };
  }

  /**
   * As {@link #decoder(OutputStream)}, failing with a 413 once more than {@code maxDecodedBytes}
   * come out: a small compressed body may decode to far more than any limit on the bytes sent.
   */
  public OutputStream decoder(OutputStream target, long maxDecodedBytes) {
    return decoder(new DecodedSizeLimit(target, maxDecodedBytes));
  }

  /**
   * The decoder for a NAR uploaded as {@code <hash>.nar}: uncompressed, or gzip (which Nix names
   * the same way), told apart by the first byte; at most {@code maxDecodedBytes} come out.
   */
  public static OutputStream plainNameDecoder(OutputStream target, long maxDecodedBytes) {
    return new PlainOrGzip(new DecodedSizeLimit(target, maxDecodedBytes));
  }

  /** By the narinfo's {@code Compression:} name; unknown → a ValidationException naming {@code field}. */
  public static Compression ofNixName(String field, String name) {
    return Arrays.stream(values()).filter(c -> c.nixName.equals(name)).findFirst()
        .orElseThrow(() -> new ValidationException(field, "compression " + name + " is not one of " + names()));
  }

  /** By the extension after {@code .nar} ({@code ""}, {@code .zst}, …), empty when unknown. */
  public static Optional<Compression> ofExtension(String extension) {
    return Arrays.stream(values()).filter(c -> c.extension.equals(extension)).findFirst();
  }

  public static String names() {
    return String.join(", ", Arrays.stream(values()).map(Compression::nixName).toList());
  }

  /** The identity decoder: passes bytes on, and its close leaves the target open. */
  private static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(OutputStream target) {
      super(target);
    }

    @Override
    public void write(byte[] b, int off, int len) throws java.io.IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() {
      // The end of the input; the target is the caller's.
    }
  }
}
