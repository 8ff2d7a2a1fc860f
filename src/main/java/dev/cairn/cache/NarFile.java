package dev.cairn.cache;

import dev.cairn.compression.Compression;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.Nixbase32;
import dev.cairn.validation.ValidationException;
import java.io.OutputStream;

/**
 * The name Nix uploads a NAR under: {@code <sha256 of the file as sent, nix32>.nar} plus the
 * compression's extension ({@code nix copy --to 'http://…?compression=…'}). An extension Cairn
 * cannot decode is refused by name before the body is read.
 */
record NarFile(Hash sha256, Compression compression) {
  private static final int HASH_CHARS = Nixbase32.encodedLength(HashAlgorithm.SHA256.size());
  private static final String NAR = ".nar";

  static NarFile parse(String file) {
    if (file.length() < HASH_CHARS + NAR.length() || !file.startsWith(NAR, HASH_CHARS)) {
      throw new ValidationException("nar", "must be <52 nixbase32 characters>.nar[.<compression>], got " + file);
    }
    String extension = file.substring(HASH_CHARS + NAR.length());
    Compression compression = Compression.ofExtension(extension).orElseThrow(() -> new ValidationException("nar",
        "compression of " + file + " is not accepted; upload with compression=" + Compression.names().replace(", ", "|")));
    return new NarFile(new Hash(HashAlgorithm.SHA256, Nixbase32.decode(file.substring(0, HASH_CHARS), HashAlgorithm.SHA256.size())),
        compression);
  }

  /**
   * The decoder for this file's bytes into {@code target}, at most {@code maxNarBytes} decoded:
   * a plain {@code .nar} may hold gzip (Nix names gzip NARs so), which its first byte tells.
   */
  OutputStream decoder(OutputStream target, long maxNarBytes) {
    return compression == Compression.NONE ? Compression.plainNameDecoder(target, maxNarBytes) : compression.decoder(target, maxNarBytes);
  }
}
