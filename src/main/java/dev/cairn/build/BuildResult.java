package dev.cairn.build;

import dev.cairn.castore.Node;
import dev.cairn.nix.StorePath;
import java.util.List;

/** A successful build: per output (request order) its castore node (anonymous), the needle indices found, and the PathInfos registered. */
public record BuildResult(List<Node> outputs, List<List<Long>> needles, List<StorePath> registered) {
  public dev.cairn.grpc.proto.tvix.build.v1.Build toProto(BuildRequest request) {
    var b = dev.cairn.grpc.proto.tvix.build.v1.Build.newBuilder().setBuildRequest(request.proto());
    for (int i = 0; i < outputs.size(); i++) {
      b.addOutputs(outputs.get(i).toProto());
      b.addOutputsNeedles(dev.cairn.grpc.proto.tvix.build.v1.Build.OutputNeedles.newBuilder().addAllNeedles(needles.get(i)));
    }
    return b.build();
  }
}
