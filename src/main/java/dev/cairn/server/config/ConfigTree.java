package dev.cairn.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The merged configuration: the documented defaults ({@code conf/cairn.yaml}, shipped in
 * the jar), overlaid by a YAML file, overlaid by {@code CAIRN_*} environment variables.
 * Only keys present in the defaults exist; each capability reads its own section through
 * the typed accessors, which name the key in every error.
 */
public final class ConfigTree {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private final ObjectNode root;

  private ConfigTree(ObjectNode root) {
    this.root = root;
  }

  public static ConfigTree defaults() {
    try (InputStream in = ConfigTree.class.getResourceAsStream("/defaults/cairn.yaml")) {
      return new ConfigTree((ObjectNode) YAML.readTree(in));
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("the jar lacks defaults/cairn.yaml", e);
    }
  }

  /**
   * Loads the configuration. {@code file} may be null (then {@code CAIRN_CONFIG} is used if set).
   */
  public static ConfigTree load(Path file, Map<String, String> env) {
    ConfigTree tree = defaults();
    Path chosen = file != null ? file : env.containsKey("CAIRN_CONFIG") ? Path.of(env.get("CAIRN_CONFIG")) : null;
    if (chosen != null) {
      JsonNode overlay;
      try {
        overlay = YAML.readTree(Files.readString(chosen));
      } catch (NoSuchFileException e) {
        throw new ConfigException("--config", "no such file " + chosen);
      } catch (IOException e) {
        throw new ConfigException("--config", "cannot read " + chosen + ": " + e.getMessage().lines().findFirst().orElse(""));
      }
      if (overlay != null && !overlay.isMissingNode() && !overlay.isNull()) {
        if (!overlay.isObject()) {
          throw new ConfigException("--config", chosen + " is not a YAML mapping");
        }
        merge(tree.root, (ObjectNode) overlay, "");
      }
    }
    for (String key : tree.leafKeys()) {
      String var = envName(key);
      String value = env.get(var);
      if (value != null) {
        tree.set(key, value);
      }
    }
    return tree;
  }

  public static String envName(String key) {
    return "CAIRN_" + key.replace('.', '_').toUpperCase(Locale.ROOT);
  }

  private static void merge(ObjectNode base, ObjectNode overlay, String prefix) {
    Iterator<Map.Entry<String, JsonNode>> fields = overlay.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      String key = prefix + e.getKey();
      JsonNode known = base.get(e.getKey());
      if (known == null) {
        throw new ConfigException(key, "unknown key");
      }
      if (known.isArray()) {
        // A list key (e.g. cache.upstreams): the overlay's list replaces the default one; its
        // reader checks the elements.
        if (!e.getValue().isArray()) {
          throw new ConfigException(key, "must be a list");
        }
        base.set(e.getKey(), e.getValue());
      } else if (known.isObject()) {
        if (!e.getValue().isObject()) {
          throw new ConfigException(key, "must be a mapping of " + fieldNames(known));
        }
        merge((ObjectNode) known, (ObjectNode) e.getValue(), key + ".");
      } else {
        if (e.getValue().isContainerNode()) {
          throw new ConfigException(key, "must be a single value");
        }
        base.set(e.getKey(), e.getValue());
      }
    }
  }

  private static String fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return String.join(", ", names);
  }

  /** Every settable key, dotted. */
  public List<String> leafKeys() {
    List<String> out = new ArrayList<>();
    collect(root, "", out);
    return out;
  }

  private static void collect(JsonNode node, String prefix, List<String> out) {
    node.fields().forEachRemaining(e -> {
      if (e.getValue().isObject()) {
        collect(e.getValue(), prefix + e.getKey() + ".", out);
      } else {
        out.add(prefix + e.getKey());
      }
    });
  }

  private JsonNode node(String key) {
    JsonNode n = root;
    for (String part : key.split("\\.")) {
      n = n.get(part);
      if (n == null) {
        throw new IllegalArgumentException("no configuration key " + key + " in conf/cairn.yaml");
      }
    }
    return n;
  }

  public void set(String key, String value) {
    int dot = key.lastIndexOf('.');
    ObjectNode parent = dot < 0 ? root : (ObjectNode) node(key.substring(0, dot));
    String leaf = key.substring(dot + 1);
    if (parent.get(leaf) == null) {
      throw new ConfigException(key, "unknown key");
    }
    parent.set(leaf, JsonNodeFactory.instance.textNode(value));
  }

  public String string(String key) {
    JsonNode n = node(key);
    return n.isNull() ? "" : n.asText();
  }

  public int integer(String key, int min, int max) {
    String text = string(key).strip();
    try {
      int v = Integer.parseInt(text);
      if (v < min || v > max) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "must be an integer in " + min + ".." + max + " (got \"" + text + "\")");
    }
  }

  public long longValue(String key, long min, long max) {
    String text = string(key).strip();
    try {
      long v = Long.parseLong(text);
      if (v < min || v > max) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "must be an integer in " + min + ".." + max + " (got \"" + text + "\")");
    }
  }

  public boolean bool(String key) {
    String text = string(key).strip().toLowerCase(Locale.ROOT);
    switch (text) {
      case "true", "yes", "on", "1":
        return true;
      case "false", "no", "off", "0":
        return false;
      default:
        throw new ConfigException(key, "must be true or false (got \"" + text + "\")");
    }
  }

  public <E extends Enum<E>> E choice(String key, Class<E> type) {
    String text = string(key).strip();
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(text)) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(Locale.ROOT));
    }
    throw new ConfigException(key, "must be one of " + String.join(", ", names) + " (got \"" + text + "\")");
  }

  /** A duration such as {@code 90s}, {@code 30m}, {@code 1h30m} or {@code 2d} (see {@link #parseDuration}). */
  public java.time.Duration duration(String key) {
    String text = string(key).strip();
    try {
      return parseDuration(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, e.getMessage());
    }
  }

  /**
   * The one duration syntax of configuration and command line: one or more {@code <integer><unit>}
   * with units {@code ms}, {@code s}, {@code m}, {@code h}, {@code d}, e.g. {@code 0s}, {@code 1h30m}.
   * Fails with {@link IllegalArgumentException} stating the rule.
   */
  public static java.time.Duration parseDuration(String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,12})(ms|s|m|h|d)").matcher(text);
    java.time.Duration total = java.time.Duration.ZERO;
    int at = 0;
    while (at < text.length() && m.find(at) && m.start() == at) {
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "ms" -> java.time.Duration.ofMillis(n);
        case "s" -> java.time.Duration.ofSeconds(n);
        case "m" -> java.time.Duration.ofMinutes(n);
        case "h" -> java.time.Duration.ofHours(n);
        default -> java.time.Duration.ofDays(n);
      });
      at = m.end();
    }
    if (text.isEmpty() || at != text.length()) {
      throw new IllegalArgumentException("must be a duration like 90s, 30m, 1h30m or 2d (units ms, s, m, h, d; got \"" + text + "\")");
    }
    return total;
  }

  /**
   * A list of mappings ({@code cache.upstreams}), each read with the typed accessors under its
   * own keys. From an environment variable the list is YAML text, e.g.
   * {@code [{url: "http://h", trusted_public_keys: ["k:…"]}]}. Only the keys in
   * {@code allowed} may appear in an element.
   */
  public List<ConfigTree> list(String key, java.util.Set<String> allowed) {
    JsonNode n = node(key);
    if (n.isTextual()) {
      String text = n.asText().strip();
      try {
        n = text.isEmpty() ? JsonNodeFactory.instance.arrayNode() : YAML.readTree(text);
      } catch (IOException e) {
        throw new ConfigException(key, "is not a YAML list: " + e.getMessage().lines().findFirst().orElse(""));
      }
    }
    if (n == null || !n.isArray()) {
      throw new ConfigException(key, "must be a list");
    }
    List<ConfigTree> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      JsonNode element = n.get(i);
      String at = key + "[" + i + "]";
      if (!element.isObject()) {
        throw new ConfigException(at, "must be a mapping of " + String.join(", ", allowed));
      }
      for (Iterator<String> names = element.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!allowed.contains(name)) {
          throw new ConfigException(at + "." + name, "unknown key (known: " + String.join(", ", allowed) + ")");
        }
      }
      out.add(new ConfigTree((ObjectNode) element));
    }
    return out;
  }

  /** Whether a list element or section sets {@code key}. */
  public boolean has(String key) {
    JsonNode n = root;
    for (String part : key.split("\\.")) {
      n = n.get(part);
      if (n == null) {
        return false;
      }
    }
    return !n.isNull();
  }

  /** A list of strings: a YAML list of scalars, or one comma-separated string. */
  public List<String> strings(String key) {
    JsonNode n = node(key);
    List<String> out = new ArrayList<>();
    if (n.isArray()) {
      for (JsonNode v : n) {
        if (v.isContainerNode()) {
          throw new ConfigException(key, "must be a list of strings");
        }
        out.add(v.asText().strip());
      }
    } else if (!n.isNull()) {
      for (String v : n.asText().split(",")) {
        if (!v.isBlank()) {
          out.add(v.strip());
        }
      }
    }
    return out;
  }

  public Path path(String key) {
    String text = string(key).strip();
    if (text.isEmpty()) {
      throw new ConfigException(key, "must not be empty");
    }
    return Path.of(text);
  }
}
