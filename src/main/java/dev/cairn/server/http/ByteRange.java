package dev.cairn.server.http;

import java.util.Optional;

/**
 * One byte range of a representation of {@code total} bytes, from a {@code Range} header
 * (RFC 9110 §14): {@code bytes=a-b}, {@code bytes=a-} or {@code bytes=-n}. Nix sends the
 * second form to resume a download, as do podman and skopeo for image layers (WIRE.md §5).
 */
public record ByteRange(long start, long length, long total) {
  /** A Range the server cannot satisfy or parse: 416 with {@code Content-Range: bytes *&#47;total}. */
  public static final class Unsatisfiable extends Exception {
    Unsatisfiable(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Empty when the header is absent, names another unit, or asks for several ranges: then the
   * whole body is sent (RFC 9110 lets a server ignore Range; Nix never asks for several).
   */
  public static Optional<ByteRange> parse(String header, long total) throws Unsatisfiable {
    if (header == null) {
      return Optional.empty();
    }
    String h = header.strip();
    if (!h.startsWith("bytes=") || h.indexOf(',') >= 0) {
      return Optional.empty();
    }
    String spec = h.substring("bytes=".length()).strip();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      throw new Unsatisfiable("Range: must be bytes=<first>-[<last>] or bytes=-<suffix length>, got \"" + header + "\"");
    }
    String first = spec.substring(0, dash).strip();
    String last = spec.substring(dash + 1).strip();
    if (first.isEmpty()) {
      long suffix = number(last, header);
      if (suffix == 0 || total == 0) {
        throw new Unsatisfiable("Range: the suffix length must be positive and the representation non-empty");
      }
      long n = Math.min(suffix, total);
      return Optional.of(new ByteRange(total - n, n, total));
    }
    long start = number(first, header);
    if (start >= total) {
      throw new Unsatisfiable("Range: starts at " + start + ", the representation has " + total + " bytes");
    }
    long end = last.isEmpty() ? total - 1 : number(last, header);
    if (end < start) {
      throw new Unsatisfiable("Range: the last byte " + end + " is before the first " + start);
    }
    end = Math.min(end, total - 1);
    return Optional.of(new ByteRange(start, end - start + 1, total));
  }

  private static long number(String digits, String header) throws Unsatisfiable {
    if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new Unsatisfiable("Range: positions must be decimal numbers, got \"" + header + "\"");
    }
    return Long.parseLong(digits);
  }

  public String contentRange() {
    return "bytes " + start + "-" + (start + length - 1) + "/" + total;
  }
}
