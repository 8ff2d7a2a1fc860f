package dev.cairn.cache;

import dev.cairn.server.config.ConfigTree;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code cache} section: the Priority advertised in {@code /nix-cache-info} and the Nix
 * secret key files narinfos are signed with ({@code signing_key_file} for one, as the
 * environment variable {@code CAIRN_CACHE_SIGNING_KEY_FILE} sets it; {@code signing_key_files}
 * for several, comma-separated). No key file: one is generated under the data dir.
 * {@code max_nar_bytes} bounds one uploaded NAR ({@code PUT /nar/…}), as sent and decompressed, {@code max_log_bytes}
 * one build log ({@code PUT /log/…}); {@code zstd_responses} lets NAR downloads be compressed
 * when the client asks for zstd. {@code narinfo_cache_bytes} bounds the rendered, signed narinfos
 * kept in memory (0: none), {@code narinfo_cache_ttl} how long one is served from memory (the bound
 * on how long another replica's change of a path goes unseen here).
 */
public record CacheConfig(int priority, List<Path> signingKeyFiles, long maxNarBytes, long maxLogBytes, boolean zstdResponses,
                          long narInfoCacheBytes, Duration narInfoCacheTtl) {
  public CacheConfig {
    signingKeyFiles = List.copyOf(signingKeyFiles);
  }

  public static CacheConfig from(ConfigTree tree) {
    List<Path> files = new ArrayList<>();
    String one = tree.string("cache.signing_key_file").strip();
    if (!one.isEmpty()) {
      files.add(Path.of(one));
    }
    for (String f : tree.string("cache.signing_key_files").split(",")) {
      if (!f.isBlank()) {
        files.add(Path.of(f.strip()));
      }
    }
    return new CacheConfig(tree.integer("cache.priority", 0, 1_000_000), files, tree.longValue("cache.max_nar_bytes", 1024, 1L << 50),
        tree.longValue("cache.max_log_bytes", 1024, Integer.MAX_VALUE - 8), tree.bool("cache.zstd_responses"),
        tree.longValue("cache.narinfo_cache_bytes", 0, 1L << 40), tree.duration("cache.narinfo_cache_ttl"));
  }
}
