package dev.cairn.castore;

import dev.cairn.validation.ValidationException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

class NodeTest {
  static final B3Digest DIGEST = B3Digest.of(new byte[32]);

  static dev.cairn.grpc.proto.tvix.castore.v1.Node fileNamed(String name) {
    return dev.cairn.grpc.proto.tvix.castore.v1.Node.newBuilder()
        .setFile(dev.cairn.grpc.proto.tvix.castore.v1.FileNode.newBuilder()
            .setName(ByteString.copyFromUtf8(name)).setDigest(ByteString.copyFrom(new byte[32]))
            .setSize(12).setExecutable(true))
        .build();
  }

  @Test
  void convertsEachKindToProtoAndBack() {
    Node[] nodes = {
      new DirectoryNode(PathComponent.of("d"), DIGEST, 3),
      new FileNode(PathComponent.of("f"), DIGEST, 12, true),
      new SymlinkNode(PathComponent.of("s"), SymlinkTarget.of("/nix/store/x")),
    };
    for (Node n : nodes) {
      assertEquals(n, Node.fromProto(n.toProto()));
    }
  }

  @Test
  void nodesWithEqualContentAreEqual() {
    assertEquals(new FileNode(PathComponent.of("f"), DIGEST, 1, false),
        new FileNode(PathComponent.of("f"), B3Digest.of(new byte[32]), 1, false));
    assertEquals(new SymlinkNode(PathComponent.of("s"), SymlinkTarget.of("t")).hashCode(),
        new SymlinkNode(PathComponent.of("s"), SymlinkTarget.of("t")).hashCode());
    assertNotEquals(new FileNode(PathComponent.of("f"), DIGEST, 1, false),
        new FileNode(PathComponent.of("f"), DIGEST, 1, true));
  }

  @Test
  void anonymousNodeMustHaveAnEmptyName() {
    var anonymous = fileNamed("");
    assertSame(PathComponent.ANONYMOUS, Node.fromProtoAnonymous(anonymous).name());
    var e = assertThrows(ValidationException.class, () -> Node.fromProtoAnonymous(fileNamed("x")));
    assertEquals("node.file.name", e.field());
  }

  @Test
  void rejectsNamedNodeWithoutName() {
    var e = assertThrows(ValidationException.class, () -> Node.fromProto(fileNamed("")));
    assertEquals("node.file.name", e.field());
  }

  @Test
  void rejectsNodeOfNoKind() {
    var e = assertThrows(ValidationException.class,
        () -> Node.fromProto(dev.cairn.grpc.proto.tvix.castore.v1.Node.getDefaultInstance()));
    assertTrue(e.getMessage().contains("directory, file or symlink"));
  }

  @Test
  void withNameRenamesKeepingContent() {
    var f = new FileNode(PathComponent.of("f"), DIGEST, 1, true);
    assertEquals(new FileNode(PathComponent.of("g"), DIGEST, 1, true), f.withName(PathComponent.of("g")));
  }
}
