package dev.cairn.build;

import com.google.protobuf.ByteString;
import dev.cairn.castore.Node;
import dev.cairn.validation.ValidationException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated tvix.build.v1.BuildRequest (WIRE.md §3). Everything inside the build package
 * works on this; the protobuf message is converted once, at the edge ({@link #fromProto}), and
 * kept verbatim for the {@code Build} answer, which echoes it.
 */
public record BuildRequest(
    List<Node> inputs,
    List<String> commandArgs,
    String workingDir,
    List<String> scratchPaths,
    String inputsDir,
    List<String> outputs,
    List<EnvVar> environment,
    Constraints constraints,
    List<AdditionalFile> additionalFiles,
    List<String> refscanNeedles,
    dev.cairn.grpc.proto.tvix.build.v1.BuildRequest proto) {

  public record EnvVar(String key, byte[] value) {}

  public record AdditionalFile(String path, byte[] contents) {}

  public record Constraints(String system, long minMemory, List<String> availableRoPaths, boolean networkAccess,
                            boolean provideBinSh) {}

  /** Caps on what one request may carry (a hostile client would otherwise make us allocate without bound). */
  public record Limits(int maxInputs, int maxArgs, int maxPaths, int maxEnv, int maxAdditionalFiles, int maxNeedles) {
    public static final Limits DEFAULT = new Limits(100_000, 10_000, 1_000, 10_000, 1_000, 100_000);
  }

  public static BuildRequest fromProto(dev.cairn.grpc.proto.tvix.build.v1.BuildRequest p) {
    return fromProto(p, Limits.DEFAULT);
  }

  public static BuildRequest fromProto(dev.cairn.grpc.proto.tvix.build.v1.BuildRequest p, Limits limits) {
    cap("inputs", p.getInputsCount(), limits.maxInputs());
    cap("command_args", p.getCommandArgsCount(), limits.maxArgs());
    cap("scratch_paths", p.getScratchPathsCount(), limits.maxPaths());
    cap("outputs", p.getOutputsCount(), limits.maxPaths());
    cap("environment_vars", p.getEnvironmentVarsCount(), limits.maxEnv());
    cap("additional_files", p.getAdditionalFilesCount(), limits.maxAdditionalFiles());
    cap("refscan_needles", p.getRefscanNeedlesCount(), limits.maxNeedles());
    cap("constraints.available_ro_paths", p.getConstraints().getAvailableRoPathsCount(), limits.maxPaths());

    List<Node> inputs = new ArrayList<>();
    for (int i = 0; i < p.getInputsCount(); i++) {
      Node n = Node.fromProto(p.getInputs(i), "inputs[" + i + "]");
      if (!inputs.isEmpty() && n.name().compareTo(inputs.get(inputs.size() - 1).name()) <= 0) {
        throw new ValidationException("inputs[" + i + "].name", "input names must strictly increase; \"" + n.name()
            + "\" follows \"" + inputs.get(inputs.size() - 1).name() + "\"");
      }
      inputs.add(n);
    }
    if (p.getCommandArgsCount() == 0) {
      throw new ValidationException("command_args", "at least the program to run is required");
    }
    String workingDir = CleanPath.relative("working_dir", p.getWorkingDir());
    String inputsDir = CleanPath.relative("inputs_dir", p.getInputsDir());
    List<String> scratch = relativePaths("scratch_paths", p.getScratchPathsList());
    List<String> outputs = relativePaths("outputs", p.getOutputsList());
    for (int i = 0; i < outputs.size(); i++) {
      String out = outputs.get(i);
      if (scratch.stream().noneMatch(s -> CleanPath.isUnder(out, s))) {
        throw new ValidationException("outputs[" + i + "]", "\"" + out + "\" is not under any scratch path " + scratch);
      }
    }
    List<EnvVar> env = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < p.getEnvironmentVarsCount(); i++) {
      var e = p.getEnvironmentVars(i);
      String key = e.getKey();
      if (key.isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\0') >= 0) {
        throw new ValidationException("environment_vars[" + i + "].key", "must be non-empty without '=' or NUL");
      }
      if (hasNul(e.getValue())) {
        throw new ValidationException("environment_vars[" + i + "].value", "must not contain NUL");
      }
      keys.add(key);
      env.add(new EnvVar(key, e.getValue().toByteArray()));
    }
    CleanPath.sorted("environment_vars.key", keys);
    List<AdditionalFile> files = new ArrayList<>();
    List<String> filePaths = new ArrayList<>();
    for (int i = 0; i < p.getAdditionalFilesCount(); i++) {
      var f = p.getAdditionalFiles(i);
      String path = CleanPath.relative("additional_files[" + i + "].path", f.getPath());
      if (path.isEmpty()) {
        throw new ValidationException("additional_files[" + i + "].path", "must not be empty");
      }
      filePaths.add(path);
      files.add(new AdditionalFile(path, f.getContents().toByteArray()));
    }
    CleanPath.sorted("additional_files.path", filePaths);
    var c = p.getConstraints();
    List<String> ro = new ArrayList<>();
    for (int i = 0; i < c.getAvailableRoPathsCount(); i++) {
      ro.add(CleanPath.absolute("constraints.available_ro_paths[" + i + "]", c.getAvailableRoPaths(i)));
    }
    CleanPath.sorted("constraints.available_ro_paths", ro);
    if (c.getMinMemory() < 0) {
      throw new ValidationException("constraints.min_memory", "above the supported 2^63-1");
    }
    List<String> needles = new ArrayList<>();
    for (int i = 0; i < p.getRefscanNeedlesCount(); i++) {
      String n = p.getRefscanNeedles(i);
      if (n.isEmpty() || n.length() > 1024) {
        throw new ValidationException("refscan_needles[" + i + "]", "must be 1..1024 characters");
      }
      needles.add(n);
    }
    return new BuildRequest(List.copyOf(inputs), List.copyOf(p.getCommandArgsList()), workingDir, scratch, inputsDir, outputs,
        List.copyOf(env), new Constraints(c.getSystem(), c.getMinMemory(), List.copyOf(ro), c.getNetworkAccess(),
            c.getProvideBinSh()), List.copyOf(files), List.copyOf(needles), p);
  }

  private static boolean hasNul(ByteString bytes) {
    for (int i = 0; i < bytes.size(); i++) {
      if (bytes.byteAt(i) == 0) {
        return true;
      }
    }
    return false;
  }

  private static void cap(String field, int count, int max) {
    if (count > max) {
      throw new ValidationException(field, "at most " + max + " entries, got " + count);
    }
  }

  private static List<String> relativePaths(String field, List<String> paths) {
    for (int i = 0; i < paths.size(); i++) {
      CleanPath.relative(field + "[" + i + "]", paths.get(i));
    }
    CleanPath.sorted(field, paths);
    return List.copyOf(paths);
  }

  /** The needles as bytes, as the scanner looks for them. */
  List<byte[]> needleBytes() {
    return refscanNeedles.stream().map(n -> n.getBytes(StandardCharsets.UTF_8)).toList();
  }
}
