package dev.cairn.castore;

import dev.cairn.validation.ValidationException;

/**
 * One named entry of the castore Merkle tree: a directory, a file or a symlink. Names are
 * valid {@link PathComponent}s, except a root handed over without name
 * ({@link PathComponent#ANONYMOUS}, as in CalculateNAR).
 */
public sealed interface Node permits DirectoryNode, FileNode, SymlinkNode {
  PathComponent name();

  /** The same node under another name (e.g. a store path basename for a PathInfo root). */
  Node withName(PathComponent name);

  /** Converts a tvix.castore.v1.Node whose entry must carry a valid name. */
  static Node fromProto(dev.cairn.grpc.proto.tvix.castore.v1.Node proto) {
    return NodeProtos.fromProto(proto, "node", false);
  }

  /** As {@link #fromProto(dev.cairn.grpc.proto.tvix.castore.v1.Node)}, errors naming {@code field}. */
  static Node fromProto(dev.cairn.grpc.proto.tvix.castore.v1.Node proto, String field) {
    return NodeProtos.fromProto(proto, field, false);
  }

  /** Converts a tvix.castore.v1.Node whose entry must have an empty name (CalculateNAR). */
  static Node fromProtoAnonymous(dev.cairn.grpc.proto.tvix.castore.v1.Node proto) {
    return NodeProtos.fromProto(proto, "node", true);
  }

  default dev.cairn.grpc.proto.tvix.castore.v1.Node toProto() {
    return NodeProtos.toProto(this);
  }

  /** A uint64 size from the wire; Java's long holds it up to 2^63-1, which is plenty. */
  static long checkedSize(String field, long size) {
    if (size < 0) {
      throw new ValidationException(
          field, "size " + Long.toUnsignedString(size) + " is above the supported 2^63-1");
    }
    return size;
  }
}
