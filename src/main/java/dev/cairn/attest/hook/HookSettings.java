package dev.cairn.attest.hook;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the post-build hook reports to and with what identity. {@code store} is an
 * optional Nix {@code --store} for chroot stores; {@code spool} keeps reports the server
 * could not take, to send later.
 */
public record HookSettings(
    URI server,
    String token,
    Optional<Path> secretKeyFile,
    Optional<String> store,
    Path spool,
    int attempts,
    Duration firstBackoff) {

  public HookSettings {
    if (server == null || server.getScheme() == null || !server.getScheme().startsWith("http")) {
      throw new IllegalArgumentException("hook server must be an http(s) URL, got " + server);
    }
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("hook token is missing (--token-file, CAIRN_HOOK_TOKEN or HASH_COLLECTION_TOKEN)");
    }
    if (attempts < 1) {
      throw new IllegalArgumentException("hook attempts must be at least 1");
    }
  }
}
