package dev.cairn.castore;

import com.google.protobuf.ByteString;
import dev.cairn.grpc.proto.tvix.castore.v1.Node.NodeCase;
import dev.cairn.validation.ValidationException;

/**
 * The edge between generated tvix.castore.v1 messages and the validated values. Every error
 * names the field as a client would write it ({@code directories[1].digest}). snix.castore.v1
 * messages have identical bytes: adapters re-parse them as tvix messages.
 */
final class NodeProtos {
  private NodeProtos() {}

  static Node fromProto(
      dev.cairn.grpc.proto.tvix.castore.v1.Node proto, String field, boolean anonymous) {
    NodeCase kind = proto.getNodeCase();
    switch (kind) {
      case DIRECTORY:
        return directoryNode(proto.getDirectory(), field + ".directory", anonymous);
      case FILE:
        return fileNode(proto.getFile(), field + ".file", anonymous);
      case SYMLINK:
        return symlinkNode(proto.getSymlink(), field + ".symlink", anonymous);
      default:
        throw new ValidationException(field, "a node must be a directory, file or symlink");
    }
  }

  static DirectoryNode directoryNode(
      dev.cairn.grpc.proto.tvix.castore.v1.DirectoryNode proto, String field, boolean anonymous) {
    return new DirectoryNode(
        name(proto.getName(), field + ".name", anonymous),
        B3Digest.of(field + ".digest", proto.getDigest().toByteArray()),
        Node.checkedSize(field + ".size", proto.getSize()));
  }

  static FileNode fileNode(
      dev.cairn.grpc.proto.tvix.castore.v1.FileNode proto, String field, boolean anonymous) {
    return new FileNode(
        name(proto.getName(), field + ".name", anonymous),
        B3Digest.of(field + ".digest", proto.getDigest().toByteArray()),
        Node.checkedSize(field + ".size", proto.getSize()),
        proto.getExecutable());
  }

  static SymlinkNode symlinkNode(
      dev.cairn.grpc.proto.tvix.castore.v1.SymlinkNode proto, String field, boolean anonymous) {
    return new SymlinkNode(
        name(proto.getName(), field + ".name", anonymous),
        SymlinkTarget.of(field + ".target", proto.getTarget().toByteArray()));
  }

  private static PathComponent name(ByteString name, String field, boolean anonymous) {
    if (anonymous) {
      if (!name.isEmpty()) {
        throw new ValidationException(field, "an anonymous node must have an empty name");
      }
      return PathComponent.ANONYMOUS;
    }
    return PathComponent.of(field, name.toByteArray());
  }

  static dev.cairn.grpc.proto.tvix.castore.v1.Node toProto(Node node) {
    var builder = dev.cairn.grpc.proto.tvix.castore.v1.Node.newBuilder();
    if (node instanceof DirectoryNode d) {
      builder.setDirectory(toProto(d));
    } else if (node instanceof FileNode f) {
      builder.setFile(toProto(f));
    } else {
      builder.setSymlink(toProto((SymlinkNode) node));
    }
    return builder.build();
  }

  static dev.cairn.grpc.proto.tvix.castore.v1.DirectoryNode toProto(DirectoryNode node) {
    return dev.cairn.grpc.proto.tvix.castore.v1.DirectoryNode.newBuilder()
        .setName(ByteString.copyFrom(node.name().bytes()))
        .setDigest(ByteString.copyFrom(node.digest().bytes()))
        .setSize(node.size())
        .build();
  }

  static dev.cairn.grpc.proto.tvix.castore.v1.FileNode toProto(FileNode node) {
    return dev.cairn.grpc.proto.tvix.castore.v1.FileNode.newBuilder()
        .setName(ByteString.copyFrom(node.name().bytes()))
        .setDigest(ByteString.copyFrom(node.digest().bytes()))
        .setSize(node.size())
        .setExecutable(node.executable())
        .build();
  }

  static dev.cairn.grpc.proto.tvix.castore.v1.SymlinkNode toProto(SymlinkNode node) {
    return dev.cairn.grpc.proto.tvix.castore.v1.SymlinkNode.newBuilder()
        .setName(ByteString.copyFrom(node.name().bytes()))
        .setTarget(ByteString.copyFrom(node.target().bytes()))
        .build();
  }
}
