package dev.cairn.server.config;

/** A setting that cannot be used, named by its key path (e.g. {@code http.port}). */
public final class ConfigException extends RuntimeException {
  private final String key;

  public ConfigException(String key, String message) {
    super(key + ": " + message);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
