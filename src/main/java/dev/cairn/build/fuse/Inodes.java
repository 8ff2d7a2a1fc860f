package dev.cairn.build.fuse;

import dev.cairn.castore.Blake3;
import dev.cairn.castore.DirectoryNode;
import dev.cairn.castore.FileNode;
import dev.cairn.castore.Node;
import dev.cairn.castore.SymlinkNode;
import java.nio.ByteBuffer;

/**
 * Inode numbers derived from content, so that the same content has the same inode in every
 * mount and across restarts (what tools like {@code tar} and {@code find -samefile} key on): 63
 * bits of BLAKE3 over the node's kind and content, its name excluded. The kind is part of the
 * input because the empty directory and the empty blob share a digest (WIRE.md §3).
 */
final class Inodes {
  static final long ROOT = 1;

  private Inodes() {}

  static long of(Node node) {
    byte[] content;
    if (node instanceof DirectoryNode d) {
      content = tagged((byte) 'd', d.digest().bytes());
    } else if (node instanceof FileNode f) {
      content = tagged(f.executable() ? (byte) 'x' : (byte) 'f', f.digest().bytes());
    } else {
      content = tagged((byte) 'l', ((SymlinkNode) node).target().bytes());
    }
    long ino = ByteBuffer.wrap(Blake3.hash(content)).getLong() & Long.MAX_VALUE;
    return ino <= ROOT ? ino + 2 : ino;
  }

  private static byte[] tagged(byte tag, byte[] bytes) {
    byte[] out = new byte[bytes.length + 1];
    out[0] = tag;
    System.arraycopy(bytes, 0, out, 1, bytes.length);
    return out;
  }
}
