package dev.cairn.castore;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.cairn.validation.ValidationException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The children of one directory, validated (WIRE.md §3): each list sorted strictly by name,
 * names unique across the three lists, every name, digest and symlink target valid. Its
 * identity is {@link #digest()}, the BLAKE3 of {@link #encode()}, the canonical protobuf
 * encoding (fields in number order, defaults omitted, no unknown fields — unknown fields of a
 * received message are dropped by {@link #fromProto}).
 */
public final class Directory {
  private static final Directory EMPTY = new Directory(List.of(), List.of(), List.of());

  private final List<DirectoryNode> directories;
  private final List<FileNode> files;
  private final List<SymlinkNode> symlinks;
  private final long childSizes;
  private volatile byte[] encoded;
  private volatile B3Digest digest;

  private Directory(List<DirectoryNode> directories, List<FileNode> files, List<SymlinkNode> symlinks) {
    this.directories = List.copyOf(directories);
    this.files = List.copyOf(files);
    this.symlinks = List.copyOf(symlinks);
    long sum = 0;
    for (DirectoryNode d : directories) {
      sum = addSize(sum, d.size());
    }
    this.childSizes = sum;
    // Both formulas must fit a uint64 (and our long) for the parent to be able to point here.
    try {
      DirectorySizeFormula.TVIX.combine(entryCount(), childSizes);
    } catch (ArithmeticException e) {
      throw new ValidationException("directories", "the directory's size overflows 2^63-1");
    }
  }

  private static long addSize(long sum, long size) {
    try {
      return Math.addExact(sum, size);
    } catch (ArithmeticException e) {
      throw new ValidationException("directories", "the directory's size overflows 2^63-1");
    }
  }

  public static Directory empty() {
    return EMPTY;
  }

  /** A directory of these (named) nodes, in any order; duplicate or anonymous names are rejected. */
  public static Directory of(Collection<? extends Node> nodes) {
    List<DirectoryNode> dirs = new ArrayList<>();
    List<FileNode> files = new ArrayList<>();
    List<SymlinkNode> links = new ArrayList<>();
    for (Node n : nodes) {
      if (n.name().isAnonymous()) {
        throw new ValidationException("name", "a node inside a directory must have a name");
      }
      if (n instanceof DirectoryNode d) {
        dirs.add(d);
      } else if (n instanceof FileNode f) {
        files.add(f);
      } else {
        links.add((SymlinkNode) n);
      }
    }
    Comparator<Node> byName = Comparator.comparing(Node::name);
    dirs.sort(byName);
    files.sort(byName);
    links.sort(byName);
    checkLists(dirs, files, links);
    return new Directory(dirs, files, links);
  }

  public static Directory of(Node... nodes) {
    return of(List.of(nodes));
  }

  /** Validates a received tvix.castore.v1.Directory; unknown fields are dropped. */
  public static Directory fromProto(dev.cairn.grpc.proto.tvix.castore.v1.Directory proto) {
    List<DirectoryNode> dirs = new ArrayList<>();
    for (int i = 0; i < proto.getDirectoriesCount(); i++) {
      dirs.add(NodeProtos.directoryNode(proto.getDirectories(i), "directories[" + i + "]", false));
    }
    List<FileNode> files = new ArrayList<>();
    for (int i = 0; i < proto.getFilesCount(); i++) {
      files.add(NodeProtos.fileNode(proto.getFiles(i), "files[" + i + "]", false));
    }
    List<SymlinkNode> links = new ArrayList<>();
    for (int i = 0; i < proto.getSymlinksCount(); i++) {
      links.add(NodeProtos.symlinkNode(proto.getSymlinks(i), "symlinks[" + i + "]", false));
    }
    checkLists(dirs, files, links);
    return new Directory(dirs, files, links);
  }

  /** Decodes and validates protobuf bytes of a tvix.castore.v1.Directory. */
  public static Directory decode(byte[] bytes) {
    try {
      return fromProto(dev.cairn.grpc.proto.tvix.castore.v1.Directory.parseFrom(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw new ValidationException("directory", "not a protobuf Directory: " + e.getMessage(), e);
    }
  }

  private static void checkLists(
      List<DirectoryNode> dirs, List<FileNode> files, List<SymlinkNode> links) {
    checkSorted("directories", dirs);
    checkSorted("files", files);
    checkSorted("symlinks", links);
    Set<PathComponent> seen = new HashSet<>();
    checkUnique("directories", dirs, seen);
    checkUnique("files", files, seen);
    checkUnique("symlinks", links, seen);
  }

  private static void checkSorted(String list, List<? extends Node> nodes) {
    for (int i = 1; i < nodes.size(); i++) {
      PathComponent previous = nodes.get(i - 1).name();
      PathComponent name = nodes.get(i).name();
      int c = name.compareTo(previous);
      if (c == 0) {
        throw new ValidationException(
            list + "[" + i + "].name", "duplicate name \"" + name + "\"");
      }
      if (c < 0) {
        throw new ValidationException(
            list + "[" + i + "].name",
            "names must strictly increase by raw bytes; \"" + name + "\" follows \"" + previous + "\"");
      }
    }
  }

  private static void checkUnique(String list, List<? extends Node> nodes, Set<PathComponent> seen) {
    for (int i = 0; i < nodes.size(); i++) {
      PathComponent name = nodes.get(i).name();
      if (!seen.add(name)) {
        throw new ValidationException(
            list + "[" + i + "].name",
            "name \"" + name + "\" is used more than once across directories, files and symlinks");
      }
    }
  }

  public List<DirectoryNode> directories() {
    return directories;
  }

  public List<FileNode> files() {
    return files;
  }

  public List<SymlinkNode> symlinks() {
    return symlinks;
  }

  /** F+S+D. */
  public int entryCount() {
    return directories.size() + files.size() + symlinks.size();
  }

  public boolean isEmpty() {
    return entryCount() == 0;
  }

  /** All children sorted by name across the three lists — NAR entry order. */
  public List<Node> nodes() {
    List<Node> all = new ArrayList<>(entryCount());
    all.addAll(directories);
    all.addAll(files);
    all.addAll(symlinks);
    all.sort(Comparator.comparing(Node::name));
    return all;
  }

  /** The size a DirectoryNode pointing here carries, by {@code formula}. */
  public long size(DirectorySizeFormula formula) {
    return formula.combine(entryCount(), childSizes);
  }

  public dev.cairn.grpc.proto.tvix.castore.v1.Directory toProto() {
    var builder = dev.cairn.grpc.proto.tvix.castore.v1.Directory.newBuilder();
    directories.forEach(d -> builder.addDirectories(NodeProtos.toProto(d)));
    files.forEach(f -> builder.addFiles(NodeProtos.toProto(f)));
    symlinks.forEach(s -> builder.addSymlinks(NodeProtos.toProto(s)));
    return builder.build();
  }

  /**
   * The canonical encoding. protobuf-java writes fields in number order and omits proto3
   * defaults; a message built from our values carries no unknown fields.
   */
  public byte[] encode() {
    byte[] e = encoded;
    if (e == null) {
      e = toProto().toByteArray();
      encoded = e;
    }
    return e.clone();
  }

  public B3Digest digest() {
    B3Digest d = digest;
    if (d == null) {
      d = Blake3Hasher.hash(encodedUnsafe());
      digest = d;
    }
    return d;
  }

  private byte[] encodedUnsafe() {
    encode();
    return encoded;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Directory other
        && directories.equals(other.directories)
        && files.equals(other.files)
        && symlinks.equals(other.symlinks);
  }

  @Override
  public int hashCode() {
    return digest().hashCode();
  }

  @Override
  public String toString() {
    return "Directory(" + digest() + ", " + directories.size() + " dirs, " + files.size()
        + " files, " + symlinks.size() + " symlinks)";
  }
}
