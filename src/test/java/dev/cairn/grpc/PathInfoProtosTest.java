package dev.cairn.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import dev.cairn.castore.Blake3Hasher;
import dev.cairn.grpc.proto.tvix.castore.v1.FileNode;
import dev.cairn.grpc.proto.tvix.castore.v1.Node;
import dev.cairn.grpc.proto.tvix.store.v1.NARInfo;
import dev.cairn.grpc.proto.tvix.store.v1.PathInfo;
import dev.cairn.grpc.proto.tvix.store.v1.StorePath;
import dev.cairn.validation.ValidationException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Every PathInfo rule of WIRE.md §3, each with a message that breaks it. */
class PathInfoProtosTest {
  private static final String BASE = "00bgd045z0d4icpbc2yyz4gx48ak44la-hello";
  private static final String REF = "0zvb2lk9z4s9v4r7yzvvwfnhkxxhjm8j-dep";

  private static PathInfo.Builder valid() {
    return PathInfo.newBuilder()
        .setNode(Node.newBuilder().setFile(FileNode.newBuilder().setName(ByteString.copyFromUtf8(BASE))
            .setDigest(ByteString.copyFrom(Blake3Hasher.hash(new byte[1]).bytes())).setSize(1)))
        .addReferences(ByteString.copyFrom(dev.cairn.nix.StorePath.parseBaseName(REF).digest()))
        .setNarinfo(NARInfo.newBuilder().setNarSize(120).setNarSha256(ByteString.copyFrom(new byte[32])).addReferenceNames(REF)
            .addSignatures(NARInfo.Signature.newBuilder().setName("k-1").setData(ByteString.copyFrom(new byte[64])))
            .setDeriver(StorePath.newBuilder().setName("hello.drv").setDigest(ByteString.copyFrom(new byte[20])))
            .setCa(NARInfo.CA.newBuilder().setType(NARInfo.CA.Hash.NAR_SHA256).setDigest(ByteString.copyFrom(new byte[32]))));
  }

  private static String rejected(Consumer<PathInfo.Builder> breakIt) {
    PathInfo.Builder b = valid();
    breakIt.accept(b);
    return assertThrows(ValidationException.class, () -> PathInfoProtos.fromProto(b.build())).field();
  }

  @Test
  void aValidPathInfoRoundTrips() {
    PathInfo proto = valid().build();
    assertEquals(proto, PathInfoProtos.toProto(PathInfoProtos.fromProto(proto)));
  }

  @Test
  void rejectsEachBrokenRuleNamingTheField() {
    assertEquals("node", rejected(b -> b.clearNode()));
    assertEquals("narinfo", rejected(b -> b.clearNarinfo()));
    assertEquals("node.name", rejected(b -> b.getNodeBuilder().getFileBuilder().setName(ByteString.copyFromUtf8("not-a-store-path"))));
    assertEquals("references[0]", rejected(b -> b.setReferences(0, ByteString.copyFrom(new byte[19]))));
    assertEquals("narinfo.reference_names", rejected(b -> b.getNarinfoBuilder().clearReferenceNames()));
    assertEquals("narinfo.reference_names[0]", rejected(b -> b.getNarinfoBuilder().setReferenceNames(0, "garbage")));
    assertEquals("narinfo.reference_names[0]", rejected(b -> b.setReferences(0, ByteString.copyFrom(new byte[20]))));
    assertEquals("narinfo.nar_sha256", rejected(b -> b.getNarinfoBuilder().setNarSha256(ByteString.copyFrom(new byte[31]))));
    assertEquals("narinfo.signatures[0]", rejected(b -> b.getNarinfoBuilder().getSignaturesBuilder(0).setData(ByteString.copyFrom(new byte[63]))));
    assertEquals("narinfo.deriver", rejected(b -> b.getNarinfoBuilder().getDeriverBuilder().setDigest(ByteString.copyFrom(new byte[3]))));
    assertEquals("narinfo.deriver", rejected(b -> b.getNarinfoBuilder().getDeriverBuilder().setName("hello")));
    assertEquals("narinfo.ca.digest", rejected(b -> b.getNarinfoBuilder().getCaBuilder().setType(NARInfo.CA.Hash.NAR_SHA1)));
    assertEquals("narinfo.nar_size", rejected(b -> b.getNarinfoBuilder().setNarSize(0)));
  }
}
