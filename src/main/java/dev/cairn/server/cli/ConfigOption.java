package dev.cairn.server.cli;

import dev.cairn.server.config.ConfigTree;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE}, shared by every command that reads the configuration. */
final class ConfigOption {
  @Option(names = "--config", paramLabel = "FILE",
      description = "YAML configuration (default: built-in conf/cairn.yaml; also CAIRN_CONFIG). CAIRN_* variables override keys.")
  Path file;

  ConfigTree load() {
    return ConfigTree.load(file, System.getenv());
  }
}
