package dev.cairn.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import dev.cairn.grpc.proto.tvix.build.v1.BuildRequest.AdditionalFile;
import dev.cairn.grpc.proto.tvix.build.v1.BuildRequest.BuildConstraints;
import dev.cairn.grpc.proto.tvix.build.v1.BuildRequest.EnvVar;
import dev.cairn.grpc.proto.tvix.castore.v1.SymlinkNode;
import dev.cairn.validation.ValidationException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** WIRE.md §3's BuildRequest rules, each refused naming the field; and the reference scanner. */
class BuildRequestTest {
  private static dev.cairn.grpc.proto.tvix.build.v1.BuildRequest.Builder valid() {
    return dev.cairn.grpc.proto.tvix.build.v1.BuildRequest.newBuilder()
        .addInputs(link("a")).addInputs(link("b"))
        .addCommandArgs("/bin/sh").setWorkingDir("build").addScratchPaths("build").addScratchPaths("nix/store")
        .setInputsDir("nix/store").addOutputs("nix/store/x-out").addOutputs("nix/store/y-out")
        .addEnvironmentVars(EnvVar.newBuilder().setKey("A").setValue(ByteString.copyFromUtf8("1")))
        .addEnvironmentVars(EnvVar.newBuilder().setKey("B"))
        .addAdditionalFiles(AdditionalFile.newBuilder().setPath("build/a"))
        .setConstraints(BuildConstraints.newBuilder().addAvailableRoPaths("/etc/a").addAvailableRoPaths("/etc/b"));
  }

  private static dev.cairn.grpc.proto.tvix.castore.v1.Node link(String name) {
    return dev.cairn.grpc.proto.tvix.castore.v1.Node.newBuilder().setSymlink(SymlinkNode.newBuilder()
        .setName(ByteString.copyFromUtf8(name)).setTarget(ByteString.copyFromUtf8("t"))).build();
  }

  private static void refused(String field, UnaryOperator<dev.cairn.grpc.proto.tvix.build.v1.BuildRequest.Builder> change) {
    ValidationException e = assertThrows(ValidationException.class, () -> BuildRequest.fromProto(change.apply(valid()).build()));
    assertEquals(field, e.field(), e.getMessage());
  }

  @Test
  void acceptsAValidRequest() {
    BuildRequest r = BuildRequest.fromProto(valid().build());
    assertEquals(List.of("nix/store/x-out", "nix/store/y-out"), r.outputs());
    assertEquals(2, r.inputs().size());
  }

  @Test
  void refusesEachBrokenRule() {
    refused("inputs[1].name", b -> b.setInputs(1, link("a")));
    refused("inputs[0].symlink.name", b -> b.setInputs(0, link("..")));
    refused("command_args", b -> b.clearCommandArgs());
    refused("working_dir", b -> b.setWorkingDir("/build"));
    refused("working_dir", b -> b.setWorkingDir("build/"));
    refused("inputs_dir", b -> b.setInputsDir("nix/./store"));
    refused("scratch_paths[1]", b -> b.setScratchPaths(1, "a"));
    refused("scratch_paths[0]", b -> b.setScratchPaths(0, "build/../x"));
    refused("outputs[1]", b -> b.setOutputs(1, "nix/store/a"));
    refused("outputs[1]", b -> b.setOutputs(1, "tmp/out"));
    refused("outputs[0]", b -> b.clearOutputs().addOutputs("nix/storex/out"));
    refused("environment_vars.key[1]", b -> b.setEnvironmentVars(1, EnvVar.newBuilder().setKey("A")));
    refused("environment_vars[0].key", b -> b.setEnvironmentVars(0, EnvVar.newBuilder().setKey("A=B")));
    refused("environment_vars[0].key", b -> b.setEnvironmentVars(0, EnvVar.newBuilder()));
    refused("additional_files[0].path", b -> b.setAdditionalFiles(0, AdditionalFile.newBuilder().setPath("../etc/passwd")));
    refused("constraints.available_ro_paths[0]", b -> b.setConstraints(BuildConstraints.newBuilder().addAvailableRoPaths("etc")));
    refused("constraints.available_ro_paths[1]", b -> b.setConstraints(BuildConstraints.newBuilder()
        .addAvailableRoPaths("/b").addAvailableRoPaths("/a")));
  }

  @Test
  void emptyPathsAreCleanAndAScratchPathMayBeTheOutput() {
    BuildRequest r = BuildRequest.fromProto(valid().setWorkingDir("").setInputsDir("").clearOutputs().addOutputs("build").build());
    assertEquals("", r.workingDir());
  }

  @Test
  void scannerFindsNeedlesAcrossReadBoundariesInContentsAndTargetsNotNames() throws Exception {
    List<byte[]> needles = List.of("needle-one".getBytes(StandardCharsets.UTF_8), "needle-two".getBytes(StandardCharsets.UTF_8),
        "needle-in-name".getBytes(StandardCharsets.UTF_8), "needle-target".getBytes(StandardCharsets.UTF_8));
    Path tree = Files.createTempDirectory("cairn-scan-");
    int boundary = 13 + 65536; // longest needle (14) - 1 + the read size
    for (int shift = 1; shift < 10; shift++) {
      Path t = Files.createDirectories(tree.resolve("t" + shift));
      Files.writeString(t.resolve("f"), "x".repeat(boundary - shift) + "needle-two" + "y".repeat(100));
      assertEquals(List.of(1L), new RefScanner(needles).scan(t), "split after " + shift + " bytes");
    }
    Path all = Files.createDirectories(tree.resolve("all"));
    Files.writeString(all.resolve("needle-in-name"), "needle-one");
    Files.createSymbolicLink(all.resolve("l"), Path.of("/nix/store/needle-target"));
    assertEquals(List.of(0L, 3L), new RefScanner(needles).scan(all));
    BitSet none = new BitSet();
    new RefScanner(needles).search(new byte[0], 0, none);
    assertEquals(0, none.cardinality());
  }
}
