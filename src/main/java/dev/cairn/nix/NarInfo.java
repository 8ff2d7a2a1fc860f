package dev.cairn.nix;

import dev.cairn.validation.ValidationException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A {@code .narinfo}: the metadata of one store path in a binary cache. {@link #parse}
 * enforces the required fields (StorePath, URL, NarHash, NarSize ≠ 0) and ignores unknown
 * keys as Nix does; References keep the order given, because real signatures were made
 * over that order.
 */
public record NarInfo(
    StorePath storePath,
    String url,
    String compression,
    Optional<Hash> fileHash,
    Optional<Long> fileSize,
    Hash narHash,
    long narSize,
    List<StorePath> references,
    Optional<StorePath> deriver,
    Optional<String> system,
    List<Signature> signatures,
    Optional<String> ca) {

  public static final String CONTENT_TYPE = "text/x-nix-narinfo";
  private static final List<String> COMPRESSIONS = List.of("none", "xz", "zstd", "bzip2", "gzip", "br", "lzip", "lz4");

  public NarInfo {
    references = List.copyOf(references);
    signatures = List.copyOf(signatures);
    if (narSize <= 0) {
      throw ValidationException.stated("NarSize", "NarSize must be positive");
    }
  }

  public static NarInfo parse(String text) {
    StorePath storePath = null;
    String url = null;
    String compression = null;
    Hash fileHash = null;
    Long fileSize = null;
    Hash narHash = null;
    Long narSize = null;
    List<StorePath> references = new ArrayList<>();
    StorePath deriver = null;
    String system = null;
    List<Signature> sigs = new ArrayList<>();
    String ca = null;
    int lineNo = 0;
    for (String line : text.split("\n", -1)) {
      lineNo++;
      if (line.isEmpty()) {
        continue;
      }
      if (line.chars().anyMatch(Character::isISOControl)) {
        // A CR or NUL would be carried into every narinfo rendered from this one.
        throw ValidationException.of("narinfo line " + lineNo + ": control character (only \\n separates lines)");
      }
      int colon = line.indexOf(": ");
      if (colon <= 0) {
        throw ValidationException.of("narinfo line " + lineNo + ": expected \"Key: value\", got \"" + line + "\"");
      }
      String key = line.substring(0, colon);
      String value = line.substring(colon + 2);
      try {
        switch (key) {
          case "StorePath":
            storePath = StorePath.parse(value);
            break;
          case "URL":
            if (value.isEmpty()) {
              throw ValidationException.stated("narinfo", "must not be empty");
            }
            url = value;
            break;
          case "Compression":
            if (!COMPRESSIONS.contains(value)) {
              throw ValidationException.stated("narinfo", "unknown compression \"" + value + "\"");
            }
            compression = value;
            break;
          case "FileHash":
            fileHash = Hash.parse(value);
            break;
          case "FileSize":
            fileSize = parseSize(value);
            break;
          case "NarHash":
            narHash = Hash.parse(value);
            break;
          case "NarSize":
            narSize = parseSize(value);
            if (narSize == 0) {
              throw ValidationException.stated("narinfo", "must not be 0");
            }
            break;
          case "References":
            for (String ref : value.split(" ")) {
              if (!ref.isEmpty()) {
                references.add(StorePath.parseBaseName(ref));
              }
            }
            break;
          case "Deriver":
            if (!value.equals("unknown-deriver")) {
              deriver = StorePath.parseBaseName(value);
              if (!deriver.name().endsWith(".drv")) {
                throw ValidationException.stated("narinfo", "must name a .drv");
              }
            }
            break;
          case "System":
            system = value;
            break;
          case "Sig":
            sigs.add(Signature.parse(value));
            break;
          case "CA":
            ca = value;
            break;
          default:
            // Unknown keys are ignored, as Nix does.
        }
      } catch (ValidationException e) {
        throw ValidationException.stated(key, "narinfo " + key + ": " + e.rule());
      }
    }
    require(storePath, "StorePath");
    require(url, "URL");
    require(narHash, "NarHash");
    require(narSize, "NarSize");
    return new NarInfo(storePath, url, compression == null ? "bzip2" : compression, Optional.ofNullable(fileHash),
        Optional.ofNullable(fileSize), narHash, narSize, references, Optional.ofNullable(deriver), Optional.ofNullable(system),
        sigs, Optional.ofNullable(ca));
  }

  private static void require(Object value, String field) {
    if (value == null) {
      throw ValidationException.stated(field, "narinfo " + field + ": required field is missing");
    }
  }

  private static long parseSize(String value) {
    try {
      long v = Long.parseLong(value);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw ValidationException.stated("narinfo", "\"" + value + "\" is not a non-negative integer");
    }
  }

  /** The text Nix writes, keys in Nix's order. */
  public String render() {
    List<Line> lines = new ArrayList<>();
    lines.add(new Line("StorePath", storePath.fullPath()));
    lines.add(new Line("URL", url));
    lines.add(new Line("Compression", compression));
    fileHash.ifPresent(h -> lines.add(new Line("FileHash", h.toNixString())));
    fileSize.ifPresent(s -> lines.add(new Line("FileSize", Long.toString(s))));
    lines.add(new Line("NarHash", narHash.toNixString()));
    lines.add(new Line("NarSize", Long.toString(narSize)));
    // As Nix writes it: "References: " even when there are none (its parser needs the ": ").
    lines.add(new Line("References", String.join(" ", references.stream().map(StorePath::baseName).toList())));
    deriver.ifPresent(d -> lines.add(new Line("Deriver", d.baseName())));
    system.ifPresent(s -> lines.add(new Line("System", s)));
    signatures.forEach(s -> lines.add(new Line("Sig", s.toString())));
    ca.ifPresent(c -> lines.add(new Line("CA", c)));
    return render(lines, RenderMode.STRICT);
  }

  /** One {@code Key: value} line of a narinfo. */
  public record Line(String key, String value) {}

  /** How {@link #render(List, RenderMode)} takes a value. */
  public enum RenderMode {
    /** Values of a parsed narinfo: one that is not printable text on one line is a bug, and an error. */
    STRICT,
    /**
     * Values as another program stored them (lila's placeholder paths, hashes and signatures on
     * its {@code /signatures} route): each is stripped, and one that is empty or not printable
     * text on one line leaves its line out, so no stored value can add a line.
     */
    LENIENT
  }

  /** Keys in the order Nix writes them; other keys follow, in the order given. */
  private static final List<String> KEY_ORDER = List.of("StorePath", "URL", "Compression", "FileHash", "FileSize", "NarHash", "NarSize",
      "References", "Deriver", "System", "Sig", "CA");

  /** The one writer of narinfo text: {@code Key: value} lines, keys in Nix's order. */
  public static String render(List<Line> lines, RenderMode mode) {
    List<Line> ordered = new ArrayList<>(lines);
    ordered.sort(Comparator.comparingInt(l -> KEY_ORDER.contains(l.key()) ? KEY_ORDER.indexOf(l.key()) : KEY_ORDER.size()));
    StringBuilder b = new StringBuilder();
    for (Line l : ordered) {
      String value = mode == RenderMode.LENIENT ? l.value().strip() : l.value();
      if (!oneLine(value) || (mode == RenderMode.LENIENT && value.isEmpty())) {
        if (mode == RenderMode.STRICT) {
          throw ValidationException.stated(l.key(), "narinfo " + l.key() + ": not printable text on one line");
        }
        continue;
      }
      b.append(l.key()).append(": ").append(value).append('\n');
    }
    return b.toString();
  }

  /** No control character (a CR or LF would start a line of its own) and no unpaired surrogate (not encodable as UTF-8). */
  private static boolean oneLine(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c)) {
        return false;
      }
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  public String fingerprint() {
    return fingerprint(storePath, narHash, narSize, references);
  }

  /** {@code 1;<path>;sha256:<nix32>;<size>;<refs,...>}: what Nix signs (WIRE.md §1). */
  public static String fingerprint(StorePath path, Hash narHash, long narSize, List<StorePath> references) {
    if (narHash.algorithm() != HashAlgorithm.SHA256) {
      throw ValidationException.stated("NarHash", "fingerprints need a sha256 NAR hash, got " + narHash.algorithm().nixName());
    }
    StringBuilder b = new StringBuilder("1;").append(path.fullPath()).append(';').append(narHash.toNixString()).append(';')
        .append(narSize).append(';');
    for (int i = 0; i < references.size(); i++) {
      b.append(i == 0 ? "" : ",").append(references.get(i).fullPath());
    }
    return b.toString();
  }
}
