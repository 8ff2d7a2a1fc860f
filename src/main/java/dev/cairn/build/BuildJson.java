package dev.cairn.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.cairn.castore.B3Digest;
import dev.cairn.castore.DirectoryNode;
import dev.cairn.castore.FileNode;
import dev.cairn.castore.Node;
import dev.cairn.castore.SymlinkNode;
import dev.cairn.grpc.proto.tvix.build.v1.BuildRequest.AdditionalFile;
import dev.cairn.grpc.proto.tvix.build.v1.BuildRequest.BuildConstraints;
import dev.cairn.grpc.proto.tvix.build.v1.BuildRequest.EnvVar;
import dev.cairn.grpc.proto.tvix.castore.v1.DirectoryNode.Builder;
import dev.cairn.validation.ValidationException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The REST form of builds. A request is the BuildRequest's fields in JSON (snake_case, bytes as
 * UTF-8 strings, digests as {@code b3:<base64>}, nodes as {@code {"type": "file", "name", "digest",
 * "size", "executable"}}), plus {@code register}; it is turned into the protobuf message and
 * validated by the one {@link BuildRequest#fromProto}. Unknown fields are refused.
 */
public final class BuildJson {
  private static final JsonNodeFactory J = JsonNodeFactory.instance;
  private static final Set<String> TOP = Set.of("inputs", "command_args", "working_dir", "scratch_paths", "inputs_dir", "outputs",
      "environment_vars", "constraints", "additional_files", "refscan_needles", "register");

  private BuildJson() {}

  public record Submission(BuildRequest request, boolean register) {}

  public static Submission parse(JsonNode body) {
    if (!body.isObject()) {
      throw new ValidationException("body", "must be a JSON object");
    }
    known(body, TOP, "");
    var b = dev.cairn.grpc.proto.tvix.build.v1.BuildRequest.newBuilder();
    each(body, "inputs", (n, f) -> b.addInputs(node(n, f)));
    strings(body, "command_args", b::addCommandArgs);
    b.setWorkingDir(text(body, "working_dir", ""));
    strings(body, "scratch_paths", b::addScratchPaths);
    b.setInputsDir(text(body, "inputs_dir", ""));
    strings(body, "outputs", b::addOutputs);
    each(body, "environment_vars", (n, f) -> {
      known(n, Set.of("key", "value"), f + ".");
      b.addEnvironmentVars(EnvVar.newBuilder().setKey(text(n, "key", f, null)).setValue(utf8(text(n, "value", f, ""))));
    });
    each(body, "additional_files", (n, f) -> {
      known(n, Set.of("path", "contents", "contents_base64"), f + ".");
      ByteString contents = n.has("contents_base64") ? base64(text(n, "contents_base64", f, null), f + ".contents_base64")
          : utf8(text(n, "contents", f, ""));
      b.addAdditionalFiles(AdditionalFile.newBuilder().setPath(text(n, "path", f, null)).setContents(contents));
    });
    strings(body, "refscan_needles", b::addRefscanNeedles);
    JsonNode c = body.path("constraints");
    if (!c.isMissingNode()) {
      if (!c.isObject()) {
        throw new ValidationException("constraints", "must be an object");
      }
      known(c, Set.of("system", "min_memory", "available_ro_paths", "network_access", "provide_bin_sh"), "constraints.");
      var cb = BuildConstraints.newBuilder().setSystem(text(c, "system", "constraints", ""))
          .setMinMemory(number(c, "min_memory", "constraints"))
          .setNetworkAccess(bool(c, "network_access", "constraints")).setProvideBinSh(bool(c, "provide_bin_sh", "constraints"));
      strings(c, "available_ro_paths", cb::addAvailableRoPaths);
      b.setConstraints(cb);
    }
    boolean register = bool(body, "register", "");
    return new Submission(BuildRequest.fromProto(b.build()), register);
  }

  private static dev.cairn.grpc.proto.tvix.castore.v1.Node node(JsonNode n, String field) {
    known(n, Set.of("type", "name", "digest", "size", "executable", "target"), field + ".");
    String type = text(n, "type", field, null);
    ByteString name = utf8(text(n, "name", field, null));
    var out = dev.cairn.grpc.proto.tvix.castore.v1.Node.newBuilder();
    switch (type) {
      case "directory" -> {
        Builder d = dev.cairn.grpc.proto.tvix.castore.v1.DirectoryNode.newBuilder().setName(name)
            .setDigest(digest(n, field)).setSize(number(n, "size", field));
        out.setDirectory(d);
      }
      case "file" -> out.setFile(dev.cairn.grpc.proto.tvix.castore.v1.FileNode.newBuilder().setName(name).setDigest(digest(n, field))
          .setSize(number(n, "size", field)).setExecutable(bool(n, "executable", field)));
      case "symlink" -> out.setSymlink(dev.cairn.grpc.proto.tvix.castore.v1.SymlinkNode.newBuilder().setName(name)
          .setTarget(utf8(text(n, "target", field, null))));
      default -> throw new ValidationException(field + ".type", "must be directory, file or symlink");
    }
    return out.build();
  }

  private static ByteString digest(JsonNode n, String field) {
    try {
      return ByteString.copyFrom(B3Digest.parse(text(n, "digest", field, null)).bytes());
    } catch (ValidationException e) {
      throw new ValidationException(field + ".digest", e.rule());
    }
  }

  private static void known(JsonNode n, Set<String> allowed, String prefix) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        throw new ValidationException(prefix + name, "unknown field");
      }
    }
  }

  private interface Each {
    void accept(JsonNode element, String field);
  }

  private static void each(JsonNode body, String key, Each each) {
    JsonNode a = body.path(key);
    if (a.isMissingNode()) {
      return;
    }
    if (!a.isArray()) {
      throw new ValidationException(key, "must be an array");
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).isObject()) {
        throw new ValidationException(key + "[" + i + "]", "must be an object");
      }
      each.accept(a.get(i), key + "[" + i + "]");
    }
  }

  private static void strings(JsonNode body, String key, Consumer<String> add) {
    JsonNode a = body.path(key);
    if (a.isMissingNode()) {
      return;
    }
    if (!a.isArray()) {
      throw new ValidationException(key, "must be an array of strings");
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).isTextual()) {
        throw new ValidationException(key + "[" + i + "]", "must be a string");
      }
      add.accept(a.get(i).asText());
    }
  }

  private static String text(JsonNode body, String key, String fallback) {
    return text(body, key, "", fallback);
  }

  private static String text(JsonNode n, String key, String parent, String fallback) {
    String field = parent.isEmpty() ? key : parent + "." + key;
    JsonNode v = n.path(key);
    if (v.isMissingNode() && fallback != null) {
      return fallback;
    }
    if (!v.isTextual()) {
      throw new ValidationException(field, "must be a string");
    }
    return v.asText();
  }

  private static long number(JsonNode n, String key, String parent) {
    JsonNode v = n.path(key);
    if (v.isMissingNode()) {
      return 0;
    }
    if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
      throw new ValidationException(parent + "." + key, "must be a non-negative integer");
    }
    return v.asLong();
  }

  private static boolean bool(JsonNode n, String key, String parent) {
    JsonNode v = n.path(key);
    if (v.isMissingNode()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw new ValidationException(parent.isEmpty() ? key : parent + "." + key, "must be true or false");
    }
    return v.asBoolean();
  }

  private static ByteString utf8(String s) {
    return ByteString.copyFrom(s, StandardCharsets.UTF_8);
  }

  private static ByteString base64(String s, String field) {
    try {
      return ByteString.copyFrom(Base64.getDecoder().decode(s));
    } catch (IllegalArgumentException e) {
      throw new ValidationException(field, "not base64");
    }
  }

  public static ObjectNode node(Node n) {
    ObjectNode o = J.objectNode();
    if (n instanceof DirectoryNode d) {
      o.put("type", "directory").put("name", d.name().toString()).put("digest", d.digest().toString()).put("size", d.size());
    } else if (n instanceof FileNode f) {
      o.put("type", "file").put("name", f.name().toString()).put("digest", f.digest().toString()).put("size", f.size())
          .put("executable", f.executable());
    } else {
      SymlinkNode s = (SymlinkNode) n;
      o.put("type", "symlink").put("name", s.name().toString()).put("target", s.target().toString());
    }
    return o;
  }

  public static ObjectNode job(BuildJob job) {
    ObjectNode o = J.objectNode();
    o.put("id", job.id());
    o.put("state", job.state().name().toLowerCase());
    o.put("queued_at", job.queuedAt());
    if (job.startedAt() > 0) {
      o.put("started_at", job.startedAt());
    }
    if (job.finishedAt() > 0) {
      o.put("finished_at", job.finishedAt());
    }
    ArrayNode command = o.putArray("command_args");
    job.request().commandArgs().forEach(command::add);
    job.failure().ifPresent(f -> o.put("failure", f.reason().name().toLowerCase()).put("failure_detail", f.getMessage()));
    job.result().ifPresent(r -> {
      ArrayNode outs = o.putArray("outputs");
      for (int i = 0; i < r.outputs().size(); i++) {
        ObjectNode out = outs.addObject();
        out.put("path", job.request().outputs().get(i));
        out.set("node", node(r.outputs().get(i)));
        ArrayNode needles = out.putArray("needles");
        r.needles().get(i).forEach(needles::add);
      }
      ArrayNode reg = o.putArray("registered");
      r.registered().forEach(p -> reg.add(p.fullPath()));
    });
    return o;
  }

  public static ObjectNode status(BuildService.Status s) {
    ObjectNode o = J.objectNode();
    o.put("max_concurrent", s.maxConcurrent());
    o.put("max_queued", s.maxQueued());
    o.put("queue_length", s.queued().size());
    s.unavailable().ifPresent(reason -> o.put("unavailable", reason));
    ArrayNode running = o.putArray("running");
    s.running().forEach(j -> running.add(job(j)));
    ArrayNode queued = o.putArray("queued");
    s.queued().forEach(j -> queued.add(job(j)));
    return o;
  }
}
