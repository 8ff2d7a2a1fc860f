package dev.cairn.registry;

import java.util.Optional;
import java.util.regex.Pattern;

/** What follows {@code /manifests/}: a tag, or a digest that pins one rendering. */
sealed interface ManifestReference permits ManifestReference.Tag, ManifestReference.Digest {
  Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

  record Tag(String name) implements ManifestReference {}

  /** {@code digest} is empty for a well-formed digest of an algorithm this registry never uses. */
  record Digest(String text, Optional<OciDigest> digest) implements ManifestReference {}

  static ManifestReference parse(String reference) {
    if (reference.indexOf(':') >= 0) {
      return new Digest(reference, OciDigest.parse(reference));
    }
    if (!TAG.matcher(reference).matches()) {
      throw RegistryError.tagInvalid(reference, "must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    }
    return new Tag(reference);
  }
}
