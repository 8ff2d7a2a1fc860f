package dev.cairn.attest.hook;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.nix.Hash;
import dev.cairn.nix.StorePath;
import java.util.List;
import java.util.Optional;

/**
 * One output as the hook reports it: lila's four fields, plus the NAR size and references
 * that let the server check the signature over Nix's fingerprint.
 */
public record OutputReport(StorePath path, Hash narHash, long narSize, List<StorePath> references, Optional<String> signature) {
  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("output_digest", path.hashPart());
    o.put("output_name", path.name());
    o.put("output_hash", narHash.toNixString());
    o.put("output_sig", signature.orElse(""));
    o.put("nar_size", narSize);
    var refs = o.putArray("references");
    references.forEach(r -> refs.add(r.fullPath()));
    return o;
  }
}
