package dev.cairn.attest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.nix.NixSystem;
import dev.cairn.validation.ValidationException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What Cairn takes from a report's CycloneDX SBOM: the components that name a Nix output
 * (property {@code nix:out_path} or {@code nix:output_path}, with optional {@code nix:drv_path},
 * {@code nix:output} and {@code nix:system}, the derivation's Nix system), the root ({@code metadata.component.bom-ref}) and the dependency
 * edges ({@code dependencies[].ref → dependsOn[]}).
 *
 * <p>Strict where CycloneDX is: {@code bomFormat} must be {@code "CycloneDX"} (an SPDX
 * document is not one), a property's name and value are strings (a component whose values
 * are not would otherwise silently vanish from the report), every ref and property value is
 * printable text, and the numbers of components and dependency edges are capped.
 */
public record ReportDefinition(Optional<String> rootRef, List<Component> components, List<Edge> edges) {
  public record Component(String ref, OutputPath outPath, Optional<String> drvPath, Optional<String> output, Optional<NixSystem> system) {}

  public record Edge(String parent, String child) {}

  /** Strict: every {@code nix:out_path} a store path. */
  public static ReportDefinition parse(JsonNode sbom, InputLimits limits) {
    return parse(sbom, limits, false);
  }

  /** {@code lenient} (lila's routes): an out path that is no store path is taken as an {@link OutputPath.Placeholder}. */
  public static ReportDefinition parse(JsonNode sbom, InputLimits limits, boolean lenient) {
    if (sbom == null || !sbom.isObject()) {
      throw ValidationException.of("body: must be a CycloneDX JSON object");
    }
    JsonNode format = sbom.get("bomFormat");
    if (format == null || !format.isTextual() || !format.asText().equals("CycloneDX")) {
      throw ValidationException.of("bomFormat: must be \"CycloneDX\"" + (format == null ? " (missing)" : ""));
    }
    Map<String, Component> components = new LinkedHashMap<>();
    JsonNode metadataComponent = sbom.path("metadata").path("component");
    Optional<String> root = Optional.empty();
    if (!metadataComponent.isMissingNode() && !metadataComponent.isNull()) {
      root = ref(metadataComponent.get("bom-ref"), "metadata.component.bom-ref", limits);
      component(metadataComponent, "metadata.component", limits, lenient).ifPresent(c -> components.put(c.ref(), c));
    }
    JsonNode list = sbom.get("components");
    if (list != null && !list.isNull()) {
      if (!list.isArray()) {
        throw ValidationException.of("components: must be an array");
      }
      if (list.size() > limits.maxReportComponents()) {
        throw new LimitExceededException(413, "components: more than " + limits.maxReportComponents()
            + " components (attest.max_report_components)");
      }
      for (int i = 0; i < list.size(); i++) {
        component(list.get(i), "components[" + i + "]", limits, lenient).ifPresent(c -> components.putIfAbsent(c.ref(), c));
      }
    }
    Set<Edge> edges = new LinkedHashSet<>();
    JsonNode deps = sbom.get("dependencies");
    if (deps != null && !deps.isNull()) {
      if (!deps.isArray()) {
        throw ValidationException.of("dependencies: must be an array");
      }
      for (int i = 0; i < deps.size(); i++) {
        JsonNode d = deps.get(i);
        String where = "dependencies[" + i + "]";
        if (!d.isObject()) {
          throw ValidationException.of(where + ": must be an object");
        }
        String parent = ref(d.get("ref"), where + ".ref", limits)
            .orElseThrow(() -> ValidationException.of(where + ".ref: required string"));
        JsonNode on = d.get("dependsOn");
        if (on == null || on.isNull()) {
          continue;
        }
        if (!on.isArray()) {
          throw ValidationException.of(where + ".dependsOn: must be an array");
        }
        for (int j = 0; j < on.size(); j++) {
          String child = ref(on.get(j), where + ".dependsOn[" + j + "]", limits)
              .orElseThrow(() -> ValidationException.of(where + ".dependsOn: must hold strings"));
          edges.add(new Edge(parent, child));
          if (edges.size() > limits.maxReportDependencies()) {
            throw new LimitExceededException(413, "dependencies: more than " + limits.maxReportDependencies()
                + " dependency edges (attest.max_report_dependencies)");
          }
        }
      }
    }
    return new ReportDefinition(root, new ArrayList<>(components.values()), new ArrayList<>(edges));
  }

  /** An optional ref: absent or null is empty, a string must be printable text, anything else is an error. */
  private static Optional<String> ref(JsonNode node, String where, InputLimits limits) {
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isTextual()) {
      throw ValidationException.of(where + ": must be a string");
    }
    return Optional.of(limits.text(where, node.asText()));
  }

  private static Optional<Component> component(JsonNode c, String where, InputLimits limits, boolean lenient) {
    if (!c.isObject()) {
      throw ValidationException.of(where + ": must be an object");
    }
    Map<String, String> props = new LinkedHashMap<>();
    JsonNode properties = c.get("properties");
    if (properties != null && !properties.isNull()) {
      if (!properties.isArray()) {
        throw ValidationException.of(where + ".properties: must be an array");
      }
      for (int i = 0; i < properties.size(); i++) {
        JsonNode p = properties.get(i);
        String at = where + ".properties[" + i + "]";
        if (!p.isObject()) {
          throw ValidationException.of(at + ": must be an object");
        }
        String name = ref(p.get("name"), at + ".name", limits).orElseThrow(() -> ValidationException.of(at + ".name: required string"));
        String value = ref(p.get("value"), at + ".value", limits).orElse(null);
        if (value == null && p.has("value")) {
          throw ValidationException.of(at + ".value: must be a string");
        }
        if (value != null) {
          props.putIfAbsent(name, value);
        }
      }
    }
    Optional<String> bomRef = ref(c.get("bom-ref"), where + ".bom-ref", limits);
    String out = props.getOrDefault("nix:out_path", props.get("nix:output_path"));
    if (out == null) {
      return Optional.empty();
    }
    OutputPath path = OutputPath.parse(where + ".properties nix:out_path", out, lenient);
    // lila knows no nix:system: on its routes a malformed one is left out rather than refused.
    String system = props.get("nix:system");
    Optional<NixSystem> parsedSystem = system == null || (lenient && !NixSystem.valid(system)) ? Optional.empty()
        : Optional.of(NixSystem.parse(where + ".properties nix:system", system));
    return Optional.of(new Component(bomRef.orElse(out), path, Optional.ofNullable(props.get("nix:drv_path")),
        Optional.ofNullable(props.get("nix:output")), parsedSystem));
  }
}
