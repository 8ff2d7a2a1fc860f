package dev.cairn.build;

import java.nio.file.Path;

/**
 * The directories of one build's bundle: {@code config.json}, {@code rootfs/} (empty, read-only
 * in the container), {@code inputs/} (the FUSE mount of the inputs), {@code scratch/<path>} (the
 * writable host directories, where outputs are found afterwards).
 */
record BundleLayout(Path dir, boolean inputsWhole) {
  Path config() {
    return dir.resolve("config.json");
  }

  Path rootfs() {
    return dir.resolve("rootfs");
  }

  Path inputs() {
    return dir.resolve("inputs");
  }

  Path scratch(String path) {
    return path.isEmpty() ? dir.resolve("scratch") : dir.resolve("scratch").resolve(path);
  }
}
