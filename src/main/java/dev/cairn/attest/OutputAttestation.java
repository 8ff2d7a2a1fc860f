package dev.cairn.attest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.nix.StorePath;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One output of a lila attestation body: {@code output_digest} (the store path's hash part),
 * {@code output_name} (its name), {@code output_hash}, {@code output_sig}; and Cairn's
 * optional {@code nar_size} and {@code references} that make the signature checkable.
 */
public record OutputAttestation(StorePath path, String hash, String signature, Optional<Long> narSize, Optional<List<StorePath>> references) {

  /** Parses one element of the body; {@code where} names it in errors, e.g. {@code body[2]}. */
  public static OutputAttestation fromJson(JsonNode node, String where) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(where + ": must be an object");
    }
    String digest = text(node, "output_digest", where);
    String name = text(node, "output_name", where);
    String hash = text(node, "output_hash", where);
    String sig = text(node, "output_sig", where);
    if (hash.isBlank()) {
      throw new IllegalArgumentException(where + ".output_hash: must not be empty");
    }
    StorePath path;
    try {
      path = new StorePath(StorePath.fromHashPart(digest), name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ".output_digest/output_name: " + e.getMessage());
    }
    Optional<Long> narSize = Optional.empty();
    JsonNode size = node.get("nar_size");
    if (size != null && !size.isNull()) {
      if (!size.canConvertToLong() || !size.isIntegralNumber() || size.asLong() <= 0) {
        throw new IllegalArgumentException(where + ".nar_size: must be a positive integer");
      }
      narSize = Optional.of(size.asLong());
    }
    Optional<List<StorePath>> refs = Optional.empty();
    JsonNode references = node.get("references");
    if (references != null && !references.isNull()) {
      if (!references.isArray()) {
        throw new IllegalArgumentException(where + ".references: must be an array of store paths");
      }
      List<StorePath> list = new ArrayList<>();
      for (int i = 0; i < references.size(); i++) {
        JsonNode r = references.get(i);
        try {
          String t = r.asText();
          list.add(t.startsWith("/") ? StorePath.parse(t) : StorePath.parseBaseName(t));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(where + ".references[" + i + "]: " + e.getMessage());
        }
      }
      refs = Optional.of(list);
    }
    return new OutputAttestation(path, OutputHash.normalize(hash), sig, narSize, refs);
  }

  /** A JSON array body, as lila's hook posts it. */
  public static List<OutputAttestation> listFromJson(JsonNode body, String where) {
    if (body == null || !body.isArray()) {
      throw new IllegalArgumentException(where + ": must be a JSON array of attestations");
    }
    if (body.isEmpty()) {
      throw new IllegalArgumentException(where + ": must hold at least one attestation");
    }
    List<OutputAttestation> out = new ArrayList<>();
    for (int i = 0; i < body.size(); i++) {
      out.add(fromJson(body.get(i), where + "[" + i + "]"));
    }
    return out;
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException(where + "." + field + ": required string");
    }
    return v.asText();
  }
}
