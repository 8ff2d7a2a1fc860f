package dev.cairn.attest;

import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.validation.ValidationException;
import java.util.Optional;

/**
 * An attested output hash. {@link #parse} is the strict reading (every route today): a sha256
 * digest in any spelling Nix prints or accepts (nix32, base16, base64, SRI), kept in Nix's
 * form ({@code sha256:<nix32>}) so the spellings of one digest agree. {@link #lenient} is for
 * routes that must take lila's placeholder values (issue 13): anything printable is kept
 * {@link Verbatim} and compared as a string, but a verbatim value is flagged by its type and
 * never becomes a narinfo's NarHash or part of a signature check. Stored values are read back
 * with {@link #ofStored}, which re-parses them, so rows written before this rule (or by a
 * lenient route) stay verbatim on the way out too.
 */
public sealed interface OutputHash {
  /** The text stored and compared. */
  String text();

  /** The NAR hash, when this is one. */
  Optional<Hash> narHash();

  /** A parsed sha256 NAR hash. */
  record Nar(Hash hash) implements OutputHash {
    public Nar {
      if (hash.algorithm() != HashAlgorithm.SHA256) {
        throw ValidationException.stated("output_hash", "must be a sha256 hash, got " + hash.algorithm().nixName());
      }
    }

    @Override
    public String text() {
      return hash.toNixString();
    }

    @Override
    public Optional<Hash> narHash() {
      return Optional.of(hash);
    }
  }

  /** A value that is not a Nix hash, kept as sent; never trusted as one. */
  record Verbatim(String text) implements OutputHash {
    @Override
    public Optional<Hash> narHash() {
      return Optional.empty();
    }
  }

  /** Strict: a sha256 hash or an error naming {@code field}. */
  static OutputHash parse(String field, String text, InputLimits limits) {
    limits.text(field, text);
    try {
      return new Nar(Hash.parse(text.strip()));
    } catch (ValidationException e) {
      throw ValidationException.of(field + ": must be a sha256 hash (sha256:<nix32|base16|base64> or sha256-<base64>): "
          + e.getMessage());
    }
  }

  /** Lenient: a hash when it parses as one, else the printable text kept verbatim. */
  static OutputHash lenient(String field, String text, InputLimits limits) {
    limits.text(field, text);
    if (text.isBlank()) {
      throw ValidationException.of(field + ": must not be empty");
    }
    return ofStored(text);
  }

  /** A stored value: a hash if it still parses as a sha256 one, else verbatim. */
  static OutputHash ofStored(String text) {
    try {
      return new Nar(Hash.parse(text.strip()));
    } catch (ValidationException e) {
      return new Verbatim(text);
    }
  }
}
