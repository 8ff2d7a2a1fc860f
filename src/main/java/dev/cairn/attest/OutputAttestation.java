package dev.cairn.attest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.nix.Signature;
import dev.cairn.nix.StorePath;
import dev.cairn.validation.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One output of a lila attestation body: {@code output_digest} (the store path's hash part),
 * {@code output_name} (its name), {@code output_hash}, {@code output_sig} (empty, or one Nix
 * signature {@code <key name>:<base64 of 64 bytes>}); and Cairn's optional {@code nar_size} and
 * {@code references} that make the signature checkable. Every field is parsed into its type
 * here, so nothing unparsed reaches the database, a narinfo or a signature check.
 */
public record OutputAttestation(StorePath path, OutputHash hash, Optional<Signature> signature, Optional<Long> narSize,
                                Optional<List<StorePath>> references) {

  /** The signature as stored: Nix's form, or empty when the output was not signed. */
  public String signatureText() {
    return signature.map(Signature::toString).orElse("");
  }

  /** Parses one element of the body; {@code where} names it in errors, e.g. {@code body[2]}. */
  public static OutputAttestation fromJson(JsonNode node, String where, InputLimits limits) {
    if (node == null || !node.isObject()) {
      throw ValidationException.of(where + ": must be an object");
    }
    String digest = text(node, "output_digest", where, limits);
    String name = text(node, "output_name", where, limits);
    OutputHash hash = OutputHash.parse(where + ".output_hash", text(node, "output_hash", where, limits), limits);
    String sigText = text(node, "output_sig", where, limits);
    Optional<Signature> sig = Optional.empty();
    if (!sigText.isEmpty()) {
      try {
        sig = Optional.of(Signature.parse(sigText));
      } catch (ValidationException e) {
        throw ValidationException.of(where + ".output_sig: " + e.getMessage());
      }
    }
    StorePath path;
    try {
      path = new StorePath(StorePath.fromHashPart(digest), name);
    } catch (ValidationException e) {
      throw ValidationException.of(where + ".output_digest/output_name: " + e.getMessage());
    }
    Optional<Long> narSize = Optional.empty();
    JsonNode size = node.get("nar_size");
    if (size != null && !size.isNull()) {
      if (!size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() <= 0) {
        throw ValidationException.of(where + ".nar_size: must be a positive integer");
      }
      narSize = Optional.of(size.asLong());
    }
    Optional<List<StorePath>> refs = Optional.empty();
    JsonNode references = node.get("references");
    if (references != null && !references.isNull()) {
      if (!references.isArray()) {
        throw ValidationException.of(where + ".references: must be an array of store paths");
      }
      if (references.size() > limits.maxOutputsPerEntry() * 64) {
        throw new LimitExceededException(413, where + ".references: more than " + limits.maxOutputsPerEntry() * 64
            + " references (64 × attest.max_outputs_per_entry)");
      }
      List<StorePath> list = new ArrayList<>();
      for (int i = 0; i < references.size(); i++) {
        JsonNode r = references.get(i);
        String at = where + ".references[" + i + "]";
        if (!r.isTextual()) {
          throw ValidationException.of(at + ": must be a string");
        }
        try {
          String t = limits.text(at, r.asText());
          list.add(t.startsWith("/") ? StorePath.parse(t) : StorePath.parseBaseName(t));
        } catch (ValidationException e) {
          throw e.getMessage().startsWith(at) ? e : ValidationException.of(at + ": " + e.getMessage());
        }
      }
      refs = Optional.of(list);
    }
    return new OutputAttestation(path, hash, sig, narSize, refs);
  }

  /** A JSON array body, as lila's hook posts it: 1 .. attest.max_outputs_per_entry outputs. */
  public static List<OutputAttestation> listFromJson(JsonNode body, String where, InputLimits limits) {
    if (body == null || !body.isArray()) {
      throw ValidationException.of(where + ": must be a JSON array of attestations");
    }
    if (body.isEmpty()) {
      throw ValidationException.of(where + ": must hold at least one attestation");
    }
    if (body.size() > limits.maxOutputsPerEntry()) {
      throw new LimitExceededException(413, where + ": more than " + limits.maxOutputsPerEntry()
          + " outputs (attest.max_outputs_per_entry)");
    }
    List<OutputAttestation> out = new ArrayList<>();
    for (int i = 0; i < body.size(); i++) {
      out.add(fromJson(body.get(i), where + "[" + i + "]", limits));
    }
    return out;
  }

  private static String text(JsonNode node, String field, String where, InputLimits limits) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw ValidationException.of(where + "." + field + ": required string");
    }
    return limits.text(where + "." + field, v.asText());
  }
}
