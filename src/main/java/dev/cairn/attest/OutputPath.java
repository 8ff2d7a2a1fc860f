package dev.cairn.attest;

import dev.cairn.nix.StorePath;
import dev.cairn.validation.ValidationException;
import java.util.Optional;

/**
 * The output an attestation or a report names. {@link Store} is a valid Nix store path, the
 * only kind {@code /api/v1} takes. {@link Placeholder} is what lila's own API tests post on the
 * lila-compatible routes ({@code output_digest: "test123"}, {@code nix:out_path:
 * "/nix/store/test456-dep1"}): kept verbatim and shown back as lila shows it, but flagged by its
 * type and by {@code outputs.placeholder_digest} (V016), so it never takes part in a signature
 * check, a narinfo's trust, Frankenbuild analysis or anything else that needs a store path.
 *
 * <p>The placeholder rule, lila's "any string" narrowed to what stays one unambiguous path
 * segment: a digest of 1..{@value #MAX_DIGEST} characters and a name of 1..{@value
 * StorePath#MAX_NAME}, both printable text (no control characters) without {@code '/'}, and no
 * {@code '-'} in the digest, so that {@code /nix/store/<digest>-<name>} splits back into the two.
 */
public sealed interface OutputPath extends Comparable<OutputPath> {
  int MAX_DIGEST = 64;
  String PREFIX = StorePath.STORE_DIR + "/";

  /** The digest part (a store path's nix32 hash part, or the placeholder digest). */
  String hashPart();

  String name();

  /** The store path, when this is one. */
  Optional<StorePath> storePath();

  default boolean isStorePath() {
    return storePath().isPresent();
  }

  default String baseName() {
    return hashPart() + "-" + name();
  }

  default String fullPath() {
    return PREFIX + baseName();
  }

  @Override
  default int compareTo(OutputPath o) {
    return baseName().compareTo(o.baseName());
  }

  /**
   * A valid store path, with its hash part and full path kept as text: {@link StorePath}
   * encodes its nixbase32 hash part on every call, and writes and reports ask for the path of
   * every output several times (ids by path, rows, 80,000 paths of a report's JSON).
   */
  record Store(StorePath path, String hashPart, String fullPath) implements OutputPath {
    Store(StorePath path) {
      this(path, path.hashPart(), path.fullPath());
    }

    @Override
    public String name() {
      return path.name();
    }

    @Override
    public String baseName() {
      return fullPath.substring(PREFIX.length());
    }

    @Override
    public Optional<StorePath> storePath() {
      return Optional.of(path);
    }

    @Override
    public String toString() {
      return fullPath;
    }
  }

  /** Not a store path: lila's placeholder values, kept as sent. */
  record Placeholder(String hashPart, String name) implements OutputPath {
    @Override
    public Optional<StorePath> storePath() {
      return Optional.empty();
    }

    @Override
    public String toString() {
      return fullPath();
    }
  }

  static OutputPath of(StorePath path) {
    return new Store(path);
  }

  /** Strict: a store path's digest and name, or an error naming {@code field}. */
  static OutputPath strict(String field, String digest, String name) {
    try {
      return new Store(new StorePath(StorePath.fromHashPart(digest), name));
    } catch (ValidationException e) {
      throw ValidationException.of(field + ": " + e.getMessage());
    }
  }

  /** lila's rule: a store path when the two parts make one, else a placeholder within {@link OutputPath}'s rule. */
  static OutputPath lenient(String field, String digest, String name) {
    try {
      return new Store(new StorePath(StorePath.fromHashPart(digest), name));
    } catch (ValidationException e) {
      return placeholder(field, digest, name);
    }
  }

  /** A base name {@code <digest>-<name>}: a store path's, or (lenient) a placeholder's split at its first {@code '-'}. */
  static OutputPath parseBaseName(String field, String baseName, boolean lenient) {
    try {
      return new Store(StorePath.parseBaseName(baseName));
    } catch (ValidationException e) {
      int dash = baseName == null ? -1 : baseName.indexOf('-');
      if (!lenient || dash < 0) {
        throw ValidationException.of(field + ": " + e.getMessage());
      }
      return placeholder(field, baseName.substring(0, dash), baseName.substring(dash + 1));
    }
  }

  /** A full path {@code /nix/store/<digest>-<name>}, strict or lenient as {@link #parseBaseName}. */
  static OutputPath parse(String field, String full, boolean lenient) {
    if (full == null || !full.startsWith(PREFIX)) {
      throw ValidationException.of(field + ": \"" + full + "\" is not under " + PREFIX);
    }
    return parseBaseName(field, full.substring(PREFIX.length()), lenient);
  }

  /** A path read back from the database: a store path if it parses as one, else a placeholder. */
  static OutputPath ofStored(String full) {
    return parse("path", full, true);
  }

  private static Placeholder placeholder(String field, String digest, String name) {
    check(field, "output_digest", digest, MAX_DIGEST);
    check(field, "output_name", name, StorePath.MAX_NAME);
    if (digest.indexOf('-') >= 0) {
      throw ValidationException.of(field + ": output_digest \"" + digest + "\" contains '-' (a digest ends at the path's first '-')");
    }
    return new Placeholder(digest, name);
  }

  private static void check(String field, String part, String value, int max) {
    if (value == null || value.isEmpty()) {
      throw ValidationException.of(field + ": " + part + " must not be empty");
    }
    PrintableText.check(field + " " + part, value, max);
    if (value.indexOf('/') >= 0) {
      throw ValidationException.of(field + ": " + part + " \"" + value + "\" contains '/' (a path is one segment under /nix/store)");
    }
  }
}
