package dev.cairn.frankenbuild;

import dev.cairn.attest.Vote;
import dev.cairn.castore.DirectoryNode;
import dev.cairn.castore.FileNode;
import dev.cairn.castore.Node;
import dev.cairn.castore.SymlinkNode;
import dev.cairn.nix.Signature;
import dev.cairn.nix.StorePath;
import dev.cairn.store.PathInfo;
import dev.cairn.store.PathInfoConflicts;
import dev.cairn.store.ReferenceGraph;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The JSON of {@code GET /api/v1/paths/<hash32>} and {@code …/closure-check} (and of a 409 in
 * reject mode); README.md, "Frankenbuild detection", documents the shapes. Nodes are
 * {@code {"type": "directory"|"file"|"symlink", "digest": "b3:…", "size": n, "executable": b,
 * "target": "…"}} (the fields of the type); NAR hashes are Nix's {@code sha256:<nix32>}.
 */
final class ClosureJson {
  private ClosureJson() {}

  static JsonObject node(Node node) {
    if (node instanceof DirectoryNode d) {
      return new JsonObject().put("type", "directory").put("digest", d.digest().toString()).put("size", d.size());
    } else if (node instanceof FileNode f) {
      return new JsonObject().put("type", "file").put("digest", f.digest().toString()).put("size", f.size()).put("executable", f.executable());
    }
    SymlinkNode s = (SymlinkNode) node;
    return new JsonObject().put("type", "symlink").put("target", new String(s.target().bytes(), StandardCharsets.UTF_8));
  }

  private static Object node(Optional<Node> node) {
    return node.map(ClosureJson::node).orElse(null);
  }

  static JsonObject pathInfo(PathInfo info) {
    JsonArray refs = new JsonArray();
    for (StorePath r : info.references()) {
      refs.add(new JsonObject().put("store_path", r.fullPath()).put("node", node(info.referenceNodes().get(r).node())));
    }
    return new JsonObject()
        .put("store_path", info.storePath().fullPath())
        .put("node", node(info.node()))
        .put("nar_hash", info.narSha256().toNixString())
        .put("nar_size", info.narSize())
        .put("deriver", info.deriver().map(StorePath::fullPath).orElse(null))
        .put("ca", info.ca().orElse(null))
        .put("signatures", new JsonArray(info.signatures().stream().map(Signature::toString).toList()))
        .put("references", refs);
  }

  static JsonObject report(ClosureReport report) {
    JsonArray edges = new JsonArray();
    report.conflicts().forEach(e -> edges.add(edge(e)));
    return new JsonObject()
        .put("store_path", report.path().fullPath())
        .put("checked_paths", report.checkedPaths())
        .put("truncated", report.truncated())
        .put("conflicting", report.conflicting())
        .put("conflicts", edges)
        .put("more_conflicts", report.moreConflicts());
  }

  static JsonObject edge(ConflictingEdge e) {
    JsonArray evidence = new JsonArray();
    e.evidence().forEach(x -> evidence.add(evidence(x)));
    return new JsonObject()
        .put("referrer", e.referrer().fullPath())
        .put("reference", e.reference().fullPath())
        .put("built_against", node(e.builtAgainst()))
        .put("held", e.held().map(ClosureJson::held).orElse(null))
        .put("evidence", evidence)
        .put("more_evidence", e.moreEvidence());
  }

  private static JsonObject held(ReferenceGraph.Held h) {
    return new JsonObject().put("node", node(h.node())).put("nar_hash", h.narSha256().toNixString());
  }

  static JsonObject evidence(Evidence x) {
    if (x instanceof Evidence.ContentChanged c) {
      return new JsonObject().put("source", "store").put("kind", "reference_content_changed")
          .put("recorded_node", node(c.recorded())).put("held_node", node(c.held()));
    } else if (x instanceof Evidence.Claimed c) {
      return claim(c.claim());
    }
    return vote(((Evidence.Attested) x).vote());
  }

  private static JsonObject claim(PathInfoConflicts.Claim c) {
    return new JsonObject().put("source", c.source().wire())
        .put("kind", "other_content_offered")
        .put("claimant", c.claimant().orElse(null))
        .put("origin", c.origin().orElse(null))
        .put("seen_via", c.seenVia().map(StorePath::fullPath).orElse(null))
        .put("differences", new JsonArray(c.differences()))
        .put("node", node(c.offeredNode()))
        .put("nar_hash", c.offeredNarSha256().toNixString())
        .put("nar_size", c.offeredNarSize())
        .put("at", c.atMillis());
  }

  private static JsonObject vote(Vote v) {
    return new JsonObject().put("source", "attestation")
        .put("kind", "builder_vote")
        .put("builder", v.builder())
        .put("output_hash", v.hash())
        .put("sig_status", v.sigStatus().dbValue())
        .put("at", v.createdAtMillis());
  }
}
