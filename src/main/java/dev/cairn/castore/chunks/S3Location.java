package dev.cairn.castore.chunks;

import dev.cairn.validation.ValidationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where an {@link S3ChunkStore} keeps its objects, parsed from the {@code castore.blob_store}
 * setting: {@code s3://bucket/prefix?endpoint=http://host:port&region=eu-west-1&path_style=true}.
 *
 * <p>Every part is optional except the bucket: no prefix puts the objects at the bucket's
 * root; no endpoint means AWS itself (resolved from the region); no region falls back to
 * {@code AWS_REGION} / the profile, then {@code us-east-1} (what S3-compatible servers expect
 * when they ignore regions). {@code path_style=true} addresses {@code endpoint/bucket/key}
 * instead of {@code bucket.endpoint/key}, which most self-hosted servers need.
 *
 * <p>Errors are {@link ValidationException}s whose field is the part at fault ({@code url},
 * {@code bucket}, {@code prefix}, {@code endpoint}, {@code region}, {@code path_style}).
 */
public record S3Location(
    String bucket, String prefix, Optional<URI> endpoint, Optional<String> region, boolean pathStyle) {

  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html (general
  // purpose buckets): the rules every S3-compatible server accepts too.
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern IPV4 = Pattern.compile("\\d+\\.\\d+\\.\\d+\\.\\d+");
  private static final Pattern PREFIX_SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

  public S3Location {
    checkBucket(bucket);
    checkPrefix(prefix);
    endpoint.ifPresent(S3Location::checkEndpoint);
    region.ifPresent(S3Location::checkRegion);
  }

  /** Parses the setting's text; see the class comment for the form. */
  public static S3Location parse(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new ValidationException("url", "not a URL (" + e.getMessage() + ")");
    }
    if (!"s3".equals(uri.getScheme())) {
      throw new ValidationException("url", "must start with s3://, got \"" + text + "\"");
    }
    if (uri.getRawFragment() != null) {
      throw new ValidationException("url", "must not have a #fragment");
    }
    String bucket = uri.getRawAuthority();
    if (bucket == null || bucket.isEmpty()) {
      throw new ValidationException("bucket", "missing: expected s3://BUCKET/prefix");
    }
    String path = uri.getRawPath() == null ? "" : decode("prefix", uri.getRawPath());
    String prefix = trimSlashes(path);

    Optional<URI> endpoint = Optional.empty();
    Optional<String> region = Optional.empty();
    boolean pathStyle = false;
    for (Map.Entry<String, String> p : query(uri.getRawQuery()).entrySet()) {
      String value = p.getValue();
      switch (p.getKey()) {
        case "endpoint" -> {
          try {
            endpoint = Optional.of(new URI(value));
          } catch (URISyntaxException e) {
            throw new ValidationException("endpoint", "not a URL: \"" + value + "\"");
          }
        }
        case "region" -> region = Optional.of(value);
        case "path_style" -> {
          if (!value.equals("true") && !value.equals("false")) {
            throw new ValidationException("path_style", "must be true or false, got \"" + value + "\"");
          }
          pathStyle = value.equals("true");
        }
        default -> throw new ValidationException(
            "url", "unknown parameter \"" + p.getKey() + "\" (known: endpoint, region, path_style)");
      }
    }
    return new S3Location(bucket, prefix, endpoint, region, pathStyle);
  }

  /** The key every object of this store starts with: {@code prefix/}, or nothing. */
  public String keyPrefix() {
    return prefix.isEmpty() ? "" : prefix + "/";
  }

  /** Where requests go, for messages: the endpoint, or AWS in the region. */
  public String where() {
    return endpoint.map(URI::toString).orElse("AWS S3" + region.map(r -> " (" + r + ")").orElse(""));
  }

  /** The canonical setting text; parses back to an equal value. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("s3://").append(bucket);
    if (!prefix.isEmpty()) {
      s.append('/').append(prefix);
    }
    String sep = "?";
    if (endpoint.isPresent()) {
      // Unescaped for readable logs: a valid endpoint has no '&', '=', '?' or '#' to escape.
      s.append(sep).append("endpoint=").append(endpoint.get());
      sep = "&";
    }
    if (region.isPresent()) {
      s.append(sep).append("region=").append(region.get());
      sep = "&";
    }
    if (pathStyle) {
      s.append(sep).append("path_style=true");
    }
    return s.toString();
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> params = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return params;
    }
    for (String pair : raw.split("&", -1)) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new ValidationException("url", "query parameters must be name=value, got \"" + pair + "\"");
      }
      String name = decode("url", pair.substring(0, eq));
      String value = decode(name, pair.substring(eq + 1));
      if (params.put(name, value) != null) {
        throw new ValidationException(name, "given twice");
      }
    }
    return params;
  }

  private static String decode(String field, String raw) {
    try {
      return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new ValidationException(field, "bad %-escape in \"" + raw + "\"");
    }
  }

  private static String trimSlashes(String path) {
    int start = 0;
    int end = path.length();
    while (start < end && path.charAt(start) == '/') {
      start++;
    }
    while (end > start && path.charAt(end - 1) == '/') {
      end--;
    }
    return path.substring(start, end);
  }

  private static void checkBucket(String bucket) {
    if (bucket == null || !BUCKET.matcher(bucket).matches()) {
      throw new ValidationException(
          "bucket",
          "\"" + bucket + "\" must be 3 to 63 characters of a-z, 0-9, '.' and '-', beginning and ending"
              + " with a letter or digit");
    }
    if (bucket.contains("..")) {
      throw new ValidationException("bucket", "\"" + bucket + "\" must not contain two adjacent periods");
    }
    if (IPV4.matcher(bucket).matches()) {
      throw new ValidationException("bucket", "\"" + bucket + "\" must not be formatted as an IP address");
    }
  }

  private static void checkPrefix(String prefix) {
    if (prefix == null) {
      throw new ValidationException("prefix", "missing (use \"\" for the bucket's root)");
    }
    if (prefix.isEmpty()) {
      return;
    }
    for (String segment : prefix.split("/", -1)) {
      if (!PREFIX_SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
        throw new ValidationException(
            "prefix",
            "\"" + prefix + "\" must be '/'-separated non-empty segments of A-Z, a-z, 0-9, '.', '_' and"
                + " '-', none of them '.' or '..'");
      }
    }
  }

  private static void checkEndpoint(URI endpoint) {
    String scheme = endpoint.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new ValidationException("endpoint", "\"" + endpoint + "\" must be an http:// or https:// URL");
    }
    if (endpoint.getHost() == null) {
      throw new ValidationException("endpoint", "\"" + endpoint + "\" has no host");
    }
    if (endpoint.getRawUserInfo() != null) {
      throw new ValidationException(
          "endpoint", "\"" + endpoint + "\" must not carry credentials (use AWS_ACCESS_KEY_ID / a profile)");
    }
    String path = endpoint.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/"))
        || endpoint.getRawQuery() != null
        || endpoint.getRawFragment() != null) {
      throw new ValidationException("endpoint", "\"" + endpoint + "\" must be scheme://host[:port] only");
    }
  }

  private static void checkRegion(String region) {
    if (!REGION.matcher(region).matches()) {
      throw new ValidationException(
          "region", "\"" + region + "\" must be 1 to 64 characters of a-z, 0-9, '-' and '_' (e.g. us-east-1)");
    }
  }
}
