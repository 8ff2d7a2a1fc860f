package dev.cairn.store.upstream;

import dev.cairn.nix.PublicKey;
import dev.cairn.server.config.ConfigException;
import dev.cairn.server.config.ConfigTree;
import dev.cairn.validation.ValidationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code cache.upstream*} keys: upstream caches in priority order, the timeout of each
 * request to them (connect, and silence while a narinfo or NAR arrives), how many requests to
 * them run at once, and how long "no upstream has it" is remembered.
 */
public record UpstreamConfig(List<Upstream> upstreams, Duration timeout, int maxConcurrentFetches, Duration negativeTtl) {
  private static final Set<String> UPSTREAM_KEYS = Set.of("url", "trusted_public_keys");

  public UpstreamConfig {
    upstreams = List.copyOf(upstreams);
  }

  public static UpstreamConfig none() {
    return new UpstreamConfig(List.of(), Duration.ofSeconds(30), 8, Duration.ofMinutes(1));
  }

  public boolean enabled() {
    return !upstreams.isEmpty();
  }

  public static UpstreamConfig from(ConfigTree tree) {
    List<Upstream> upstreams = new ArrayList<>();
    List<ConfigTree> entries = tree.list("cache.upstreams", UPSTREAM_KEYS);
    for (int i = 0; i < entries.size(); i++) {
      upstreams.add(upstream(entries.get(i), "cache.upstreams[" + i + "]"));
    }
    Duration timeout = tree.duration("cache.upstream_timeout");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new ConfigException("cache.upstream_timeout", "must be positive");
    }
    return new UpstreamConfig(upstreams, timeout, tree.integer("cache.upstream_max_concurrent_fetches", 1, 1024),
        tree.duration("cache.upstream_negative_ttl"));
  }

  private static Upstream upstream(ConfigTree entry, String at) {
    if (!entry.has("url")) {
      throw new ConfigException(at + ".url", "is required");
    }
    String url = entry.string("url").strip();
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new ConfigException(at + ".url", "is not a URL: " + e.getMessage());
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null || uri.getQuery() != null
        || uri.getFragment() != null) {
      throw new ConfigException(at + ".url", "must be an http:// or https:// URL without query or fragment (got \"" + url + "\")");
    }
    List<PublicKey> keys = new ArrayList<>();
    for (String k : entry.has("trusted_public_keys") ? entry.strings("trusted_public_keys") : List.<String>of()) {
      try {
        keys.add(PublicKey.parse(k));
      } catch (ValidationException e) {
        throw new ConfigException(at + ".trusted_public_keys", e.getMessage());
      }
    }
    if (keys.isEmpty()) {
      throw new ConfigException(at + ".trusted_public_keys", "needs at least one key: unsigned upstream paths are never accepted");
    }
    return new Upstream(uri, keys);
  }
}
