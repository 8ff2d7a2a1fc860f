package dev.cairn.castore;

import java.util.HashMap;
import java.util.Map;

/**
 * Where things lie in the NAR of a castore tree, computed from the nodes alone (names, sizes,
 * symlink targets), never by rendering: the size of each node's NAR encoding and the offset of
 * a file's contents inside its node. A NAR token is a u64 length and the bytes padded to 8
 * (WIRE.md §1), so every node's encoding is a multiple of 8 bytes. Used to skip to an offset
 * (ranged NAR responses) and for listings with {@code narOffset} ({@code GET /<hash>.ls}).
 *
 * <p>{@code tree} holds every directory below the root (as {@link DirectoryService#getRecursive}
 * returns them); sizes of directories shared by several parents are computed once.
 */
public final class NarLayout {
  /** {@code "nix-archive-1"}: the archive's first token. */
  public static final long HEADER = token(13);

  private final Map<B3Digest, Directory> tree;
  private final Map<B3Digest, Long> directorySizes = new HashMap<>();

  public NarLayout(Map<B3Digest, Directory> tree) {
    this.tree = tree;
  }

  /** The layout of the tree below {@code root}: its directories fetched in one recursive get. */
  public static io.vertx.core.Future<NarLayout> load(DirectoryService directories, Node root) {
    if (!(root instanceof DirectoryNode dir)) {
      return io.vertx.core.Future.succeededFuture(new NarLayout(Map.of()));
    }
    return directories.getRecursive(dir.digest()).map(list -> {
      Map<B3Digest, Directory> tree = new HashMap<>();
      list.forEach(d -> tree.put(d.digest(), d));
      return new NarLayout(tree);
    });
  }

  /** Bytes of a token holding {@code length} bytes: the u64 length, the bytes, the padding. */
  static long token(long length) {
    return 8 + padded(length);
  }

  /** {@code length} rounded up to a multiple of 8. */
  public static long padded(long length) {
    return (length + 7) & ~7L;
  }

  /**
   * From the start of a regular file's node to its first content byte: {@code ( type regular
   * [executable ""] contents <u64 size>}.
   */
  public static long contentsOffset(boolean executable) {
    return token(1) + token(4) + token(7) + (executable ? token(10) + token(0) : 0) + token(8) + 8;
  }

  /** From the start of a directory node to its first entry: {@code ( type directory}. */
  public static final long DIRECTORY_START = token(1) + token(4) + token(9);

  /** From the start of an entry to its node: {@code entry ( name <name> node}. */
  public static long entryStart(PathComponent name) {
    return token(5) + token(1) + token(4) + token(name.length()) + token(4);
  }

  /** After an entry's node, and after a node's last token: {@code )}. */
  public static final long CLOSE = token(1);

  /** The NAR encoding of {@code node} (without the archive header). */
  public long size(Node node) throws IncompleteTreeException {
    if (node instanceof FileNode f) {
      return contentsOffset(f.executable()) + padded(f.size()) + CLOSE;
    }
    if (node instanceof SymlinkNode s) {
      return token(1) + token(4) + token(7) + token(6) + token(s.target().length()) + CLOSE;
    }
    DirectoryNode d = (DirectoryNode) node;
    Long known = directorySizes.get(d.digest());
    if (known != null) {
      return known;
    }
    long size = DIRECTORY_START + CLOSE;
    for (Node child : directory(d).nodes()) {
      size += entrySize(child);
    }
    directorySizes.put(d.digest(), size);
    return size;
  }

  /** One directory entry: its framing and its node. */
  public long entrySize(Node child) throws IncompleteTreeException {
    return entryStart(child.name()) + size(child) + CLOSE;
  }

  /** The archive of {@code root}: header and node. */
  public long narSize(Node root) throws IncompleteTreeException {
    return HEADER + size(root);
  }

  /** The directory a node points to; {@link IncompleteTreeException} when the tree lacks it. */
  public Directory directory(DirectoryNode node) throws IncompleteTreeException {
    Directory dir = tree.get(node.digest());
    if (dir == null) {
      throw new IncompleteTreeException("directory " + node.digest() + " of " + node.name() + " is missing from the directory store");
    }
    return dir;
  }
}
