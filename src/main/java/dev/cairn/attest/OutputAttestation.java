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
public record OutputAttestation(OutputPath path, OutputHash hash, Optional<Signature> signature, String signatureText, Optional<Long> narSize,
                                Optional<List<StorePath>> references) {

  /** Strict ({@code /api/v1}): a store path, a sha256 hash, a Nix signature or none. */
  public static OutputAttestation fromJson(JsonNode node, String where, InputLimits limits) {
    return fromJson(node, where, limits, false);
  }

  /**
   * Parses one element of the body; {@code where} names it in errors, e.g. {@code body[2]}.
   * {@code lenient} (the lila-compatible routes): a digest and name that are no store path
   * become an {@link OutputPath.Placeholder}, a hash that is not one is kept {@link
   * OutputHash.Verbatim}, a signature that is not a Nix signature is kept as text and never
   * checked; each still printable text of bounded length.
   */
  public static OutputAttestation fromJson(JsonNode node, String where, InputLimits limits, boolean lenient) {
    if (node == null || !node.isObject()) {
      throw ValidationException.of(where + ": must be an object");
    }
    String digest = text(node, "output_digest", where, limits);
    String name = text(node, "output_name", where, limits);
    String hashText = text(node, "output_hash", where, limits);
    OutputHash hash = lenient ? OutputHash.lenient(where + ".output_hash", hashText, limits)
        : OutputHash.parse(where + ".output_hash", hashText, limits);
    String sigText = text(node, "output_sig", where, limits);
    Optional<Signature> sig = Optional.empty();
    if (!sigText.isEmpty()) {
      try {
        sig = Optional.of(Signature.parse(sigText));
        sigText = sig.get().toString();
      } catch (ValidationException e) {
        if (!lenient) {
          throw ValidationException.of(where + ".output_sig: " + e.getMessage());
        }
      }
    }
    OutputPath path = lenient ? OutputPath.lenient(where + ".output_digest/output_name", digest, name)
        : OutputPath.strict(where + ".output_digest/output_name", digest, name);
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
    return new OutputAttestation(path, hash, sig, sigText, narSize, refs);
  }

  /** A JSON array body, as lila's hook posts it: 1 .. attest.max_outputs_per_entry outputs. */
  public static List<OutputAttestation> listFromJson(JsonNode body, String where, InputLimits limits) {
    return listFromJson(body, where, limits, false);
  }

  public static List<OutputAttestation> listFromJson(JsonNode body, String where, InputLimits limits, boolean lenient) {
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
      out.add(fromJson(body.get(i), where + "[" + i + "]", limits, lenient));
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
