package dev.cairn.registry;

import dev.cairn.server.config.ConfigTree;

/**
 * The {@code registry} section of cairn.yaml.
 *
 * @param maxLayers layers per image, the customisation layer included (WIRE.md §5: keep under ~100)
 * @param privateRegistry whether pulls need a token (the Bearer token flow docker and containerd speak)
 * @param tokenSeconds how long a pull token from {@code /v2/token} lasts
 * @param layering how a closure is grouped into layers
 * @param compression how layers are served (compressed renderings are made once and kept)
 */
record RegistryConfig(int maxLayers, boolean privateRegistry, int tokenSeconds, Layering.Strategy layering, LayerCompression compression) {
  static RegistryConfig from(ConfigTree tree) {
    return new RegistryConfig(tree.integer("registry.max_layers", 2, 125), tree.bool("registry.private"),
        tree.integer("registry.token_seconds", 10, 86_400), tree.choice("registry.layering", Layering.Strategy.class),
        tree.choice("registry.layer_compression", LayerCompression.class));
  }
}
