package dev.cairn.cache;

import dev.cairn.nix.SecretKey;
import dev.cairn.server.config.ConfigException;
import dev.cairn.validation.ValidationException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The keys this cache signs narinfos with: the configured Nix secret key files, or else one
 * generated at first start under the data dir and kept there (so the public key an operator
 * put into trusted-public-keys stays valid across restarts). Blocking: file I/O.
 */
final class SigningKeys {
  static final String GENERATED_FILE = "cache-signing.key";

  private SigningKeys() {}

  static List<SecretKey> load(CacheConfig config, Path dataDir) {
    if (config.signingKeyFiles().isEmpty()) {
      return List.of(generatedKey(dataDir.resolve(GENERATED_FILE)));
    }
    List<SecretKey> keys = new ArrayList<>();
    for (Path file : config.signingKeyFiles()) {
      keys.add(read(file, "cache.signing_key_files"));
    }
    return keys;
  }

  private static SecretKey generatedKey(Path file) {
    if (Files.exists(file)) {
      return read(file, "data_dir");
    }
    SecretKey key = SecretKey.generate("cairn-" + hostName() + "-1");
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), GENERATED_FILE, ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, key + "\n");
      try {
        // Two servers sharing a data dir must end up with one key: the first link wins.
        Files.createLink(file, tmp);
      } catch (FileAlreadyExistsException e) {
        return read(file, "data_dir");
      } finally {
        Files.delete(tmp);
      }
    } catch (IOException e) {
      throw new ConfigException("data_dir", "cannot write the generated cache signing key " + file + ": " + e.getMessage());
    }
    return key;
  }

  private static SecretKey read(Path file, String configKey) {
    try {
      return SecretKey.parse(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException(configKey, "cannot read the Nix secret key file " + file + ": " + e.getMessage());
    } catch (IllegalArgumentException | ValidationException e) {
      throw new ConfigException(configKey, file + " is not a Nix secret key file: " + e.getMessage());
    }
  }

  /** The host name part of a generated key's name; anything a key name cannot hold becomes '-'. */
  private static String hostName() {
    String name;
    try {
      name = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      name = "localhost";
    }
    String clean = name.replaceAll("[^A-Za-z0-9.-]", "-");
    return clean.isEmpty() ? "localhost" : clean;
  }
}
