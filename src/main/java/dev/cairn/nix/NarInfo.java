package dev.cairn.nix;

import dev.cairn.validation.ValidationException;

import java.util.ArrayList;
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
    StringBuilder b = new StringBuilder();
    b.append("StorePath: ").append(storePath.fullPath()).append('\n');
    b.append("URL: ").append(url).append('\n');
    b.append("Compression: ").append(compression).append('\n');
    fileHash.ifPresent(h -> b.append("FileHash: ").append(h.toNixString()).append('\n'));
    fileSize.ifPresent(s -> b.append("FileSize: ").append(s).append('\n'));
    b.append("NarHash: ").append(narHash.toNixString()).append('\n');
    b.append("NarSize: ").append(narSize).append('\n');
    // As Nix writes it: "References: " even when there are none (its parser needs the ": ").
    b.append("References: ").append(String.join(" ", references.stream().map(StorePath::baseName).toList())).append('\n');
    deriver.ifPresent(d -> b.append("Deriver: ").append(d.baseName()).append('\n'));
    system.ifPresent(s -> b.append("System: ").append(s).append('\n'));
    for (Signature s : signatures) {
      b.append("Sig: ").append(s).append('\n');
    }
    ca.ifPresent(c -> b.append("CA: ").append(c).append('\n'));
    return b.toString();
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
