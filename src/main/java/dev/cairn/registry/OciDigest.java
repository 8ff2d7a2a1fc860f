package dev.cairn.registry;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/** A content digest as the distribution API writes it: {@code sha256:<64 lower-case hex>}. */
record OciDigest(String text) {
  private static final String PREFIX = "sha256:";

  OciDigest {
    if (!text.startsWith(PREFIX) || text.length() != PREFIX.length() + 64 || !isLowerHex(text.substring(PREFIX.length()))) {
      throw new IllegalArgumentException("not a sha256 digest: " + text);
    }
  }

  static OciDigest of(byte[] sha256) {
    return new OciDigest(PREFIX + HexFormat.of().formatHex(sha256));
  }

  static OciDigest sha256Of(byte[] content) {
    return of(sha256().digest(content));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A digest from a URL: a well-formed sha256 digest; empty for a well-formed digest of another
   * algorithm (nothing here is addressed by it: 404); a malformed one is refused (400 DIGEST_INVALID).
   */
  static Optional<OciDigest> parse(String text) {
    int colon = text.indexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw RegistryError.digestInvalid(text, "must be <algorithm>:<hex>");
    }
    String algorithm = text.substring(0, colon);
    String hex = text.substring(colon + 1);
    if (!algorithm.matches("[a-z0-9]+([+._-][a-z0-9]+)*") || !hex.matches("[a-zA-Z0-9=_-]+") || hex.length() > 256) {
      throw RegistryError.digestInvalid(text, "must be <algorithm>:<encoded> (OCI image spec, digests)");
    }
    if (!algorithm.equals("sha256")) {
      return Optional.empty();
    }
    if (hex.length() != 64 || !isLowerHex(hex)) {
      throw RegistryError.digestInvalid(text, "a sha256 digest is 64 lower-case hex digits");
    }
    return Optional.of(new OciDigest(text));
  }

  private static boolean isLowerHex(String s) {
    return s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }

  /** The quoted form used as an ETag. */
  String etag() {
    return "\"" + text + "\"";
  }

  @Override
  public String toString() {
    return text;
  }
}
