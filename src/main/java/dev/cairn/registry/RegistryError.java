package dev.cairn.registry;

/**
 * An answer of the distribution API other than success: an HTTP status and one of the spec's
 * error codes (distribution-spec, "Error Codes"), rendered as
 * {@code {"errors":[{"code","message","detail"}]}} by {@link RegistryResponses#error}.
 */
final class RegistryError extends RuntimeException {
  private final int status;
  private final String code;
  private final String detail;

  RegistryError(int status, String code, String message, String detail) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  String detail() {
    return detail;
  }

  static RegistryError digestInvalid(String digest, String rule) {
    return new RegistryError(400, "DIGEST_INVALID", "provided digest did not match uploaded content", "digest " + quote(digest) + ": " + rule);
  }

  static RegistryError nameInvalid(String name, String rule) {
    return new RegistryError(400, "NAME_INVALID", "invalid repository name", "name " + quote(name) + ": " + rule);
  }

  static RegistryError tagInvalid(String tag, String rule) {
    return new RegistryError(400, "TAG_INVALID", "manifest tag did not match URI", "reference " + quote(tag) + ": " + rule);
  }

  static RegistryError manifestUnknown(String detail) {
    return new RegistryError(404, "MANIFEST_UNKNOWN", "manifest unknown", detail);
  }

  static RegistryError blobUnknown(String digest) {
    return new RegistryError(404, "BLOB_UNKNOWN", "blob unknown to registry", "no blob " + digest + " here");
  }

  static RegistryError nameUnknown(String name, String detail) {
    return new RegistryError(404, "NAME_UNKNOWN", "repository name not known to registry", "name " + quote(name) + ": " + detail);
  }

  static RegistryError unsupported(int status, String detail) {
    return new RegistryError(status, "UNSUPPORTED", "the operation is unsupported", detail);
  }

  static RegistryError unauthorized(String detail) {
    return new RegistryError(401, "UNAUTHORIZED", "authentication required", detail);
  }

  static RegistryError denied(String detail) {
    return new RegistryError(403, "DENIED", "requested access to the resource is denied", detail);
  }

  private static String quote(String s) {
    String cut = s.length() > 200 ? s.substring(0, 200) + "…" : s;
    return "\"" + cut + "\"";
  }
}
