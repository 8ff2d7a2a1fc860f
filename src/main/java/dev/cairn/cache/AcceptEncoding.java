package dev.cairn.cache;

import java.util.Locale;

/**
 * Whether an {@code Accept-Encoding} header (RFC 9110 §12.5.3) lets a response use a content
 * coding: listed by name (or {@code *}) with a q-value other than 0. A malformed q-value counts as
 * 1 (a client that lists a coding wants it); an absent header allows only identity.
 */
final class AcceptEncoding {
  private AcceptEncoding() {}

  static boolean allows(String header, String coding) {
    if (header == null) {
      return false;
    }
    boolean wildcard = false;
    for (String item : header.split(",")) {
      String[] parts = item.split(";");
      String name = parts[0].strip().toLowerCase(Locale.ROOT);
      boolean refused = false;
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].strip().toLowerCase(Locale.ROOT);
        if (p.startsWith("q=")) {
          refused = p.substring(2).strip().matches("0(\\.0{0,3})?");
        }
      }
      if (name.equals(coding)) {
        return !refused;
      }
      if (name.equals("*")) {
        wildcard = !refused;
      }
    }
    return wildcard;
  }
}
