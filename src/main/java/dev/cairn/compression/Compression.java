package dev.cairn.compression;

import dev.cairn.validation.ValidationException;
import java.io.OutputStream;
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
  ZSTD("zstd", ".zst");

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
    };
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
