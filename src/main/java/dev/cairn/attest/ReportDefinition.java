package dev.cairn.attest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.nix.StorePath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What Cairn takes from a report's CycloneDX SBOM: the components that name a Nix output
 * (property {@code nix:out_path} or {@code nix:output_path}, with optional {@code nix:drv_path}
 * and {@code nix:output}), the root ({@code metadata.component.bom-ref}) and the dependency
 * edges ({@code dependencies[].ref → dependsOn[]}).
 */
public record ReportDefinition(Optional<String> rootRef, List<Component> components, List<Edge> edges) {
  public record Component(String ref, StorePath outPath, Optional<String> drvPath, Optional<String> output) {}

  public record Edge(String parent, String child) {}

  public static ReportDefinition parse(JsonNode sbom) {
    if (sbom == null || !sbom.isObject()) {
      throw new IllegalArgumentException("body: must be a CycloneDX JSON object");
    }
    Map<String, Component> components = new LinkedHashMap<>();
    JsonNode metadataComponent = sbom.path("metadata").path("component");
    Optional<String> root = Optional.empty();
    if (metadataComponent.isObject()) {
      JsonNode ref = metadataComponent.get("bom-ref");
      if (ref != null && ref.isTextual()) {
        root = Optional.of(ref.asText());
      }
      component(metadataComponent, "metadata.component").ifPresent(c -> components.put(c.ref(), c));
    }
    JsonNode list = sbom.get("components");
    if (list != null && !list.isNull()) {
      if (!list.isArray()) {
        throw new IllegalArgumentException("components: must be an array");
      }
      for (int i = 0; i < list.size(); i++) {
        component(list.get(i), "components[" + i + "]").ifPresent(c -> components.putIfAbsent(c.ref(), c));
      }
    }
    Set<Edge> edges = new LinkedHashSet<>();
    JsonNode deps = sbom.get("dependencies");
    if (deps != null && !deps.isNull()) {
      if (!deps.isArray()) {
        throw new IllegalArgumentException("dependencies: must be an array");
      }
      for (int i = 0; i < deps.size(); i++) {
        JsonNode d = deps.get(i);
        JsonNode ref = d.get("ref");
        if (ref == null || !ref.isTextual()) {
          throw new IllegalArgumentException("dependencies[" + i + "].ref: required string");
        }
        JsonNode on = d.get("dependsOn");
        if (on == null || on.isNull()) {
          continue;
        }
        if (!on.isArray()) {
          throw new IllegalArgumentException("dependencies[" + i + "].dependsOn: must be an array");
        }
        for (JsonNode child : on) {
          if (!child.isTextual()) {
            throw new IllegalArgumentException("dependencies[" + i + "].dependsOn: must hold strings");
          }
          edges.add(new Edge(ref.asText(), child.asText()));
        }
      }
    }
    return new ReportDefinition(root, new ArrayList<>(components.values()), new ArrayList<>(edges));
  }

  private static Optional<Component> component(JsonNode c, String where) {
    if (!c.isObject()) {
      throw new IllegalArgumentException(where + ": must be an object");
    }
    Map<String, String> props = new LinkedHashMap<>();
    JsonNode properties = c.get("properties");
    if (properties != null && properties.isArray()) {
      for (JsonNode p : properties) {
        if (p.path("name").isTextual() && p.path("value").isTextual()) {
          props.putIfAbsent(p.get("name").asText(), p.get("value").asText());
        }
      }
    }
    String out = props.getOrDefault("nix:out_path", props.get("nix:output_path"));
    if (out == null) {
      return Optional.empty();
    }
    StorePath path;
    try {
      path = StorePath.parse(out);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ".properties nix:out_path: " + e.getMessage());
    }
    JsonNode ref = c.get("bom-ref");
    String bomRef = ref != null && ref.isTextual() ? ref.asText() : out;
    return Optional.of(new Component(bomRef, path, Optional.ofNullable(props.get("nix:drv_path")), Optional.ofNullable(props.get("nix:output"))));
  }
}
