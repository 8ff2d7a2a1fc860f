package dev.cairn.registry;

import dev.cairn.castore.Await;
import dev.cairn.castore.B3Digest;
import dev.cairn.castore.FileContents;
import dev.cairn.castore.BlobService;
import dev.cairn.castore.Directory;
import dev.cairn.castore.DirectoryNode;
import dev.cairn.castore.DirectoryService;
import dev.cairn.castore.FileNode;
import dev.cairn.castore.IncompleteTreeException;
import dev.cairn.castore.Node;
import dev.cairn.castore.SymlinkNode;
import dev.cairn.store.PathInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The versioned tar recipe of a store layer (WIRE.md §5: a layer must be byte-identical every
 * time it is rendered). Version {@value #VERSION}: {@code nix/} and {@code nix/store/}
 * synthesized (0755), then each store path in store path order, its tree depth-first with
 * entries in castore name order; directories and executables 0555, other files 0444, symlinks
 * as links; uid/gid 0, mtime 1, no hardlinks (see {@link TarWriter}). Blocking: run on the
 * store's NAR pool, never on an event loop.
 */
final class LayerRecipe {
  static final String VERSION = "cairn-tar-1";
  private final BlobService blobs;
  private final DirectoryService directories;

  LayerRecipe(BlobService blobs, DirectoryService directories) {
    this.blobs = blobs;
    this.directories = directories;
  }

  /**
   * The layer key: recipe version and the sorted store paths with their content (NAR hash),
   * so a path deleted and stored again with other content is another layer.
   */
  static String key(List<PathInfo> paths) {
    StringBuilder text = new StringBuilder();
    sorted(paths).forEach(p -> text.append(p.storePath().fullPath()).append(' ').append(p.narSha256().toNixString()).append('\n'));
    byte[] hash = OciDigest.sha256().digest(text.toString().getBytes(StandardCharsets.UTF_8));
    return VERSION + ":" + HexFormat.of().formatHex(hash);
  }

  static List<PathInfo> sorted(List<PathInfo> paths) {
    return paths.stream().sorted(Comparator.comparing(PathInfo::storePath)).toList();
  }

  void render(List<PathInfo> paths, OutputStream out) throws IOException {
    TarWriter tar = new TarWriter(out);
    tar.directory(TarWriter.bytes("nix"), 0755);
    tar.directory(TarWriter.bytes("nix/store"), 0755);
    for (PathInfo p : sorted(paths)) {
      Map<B3Digest, Directory> tree = new HashMap<>();
      if (p.node() instanceof DirectoryNode dir) {
        for (Directory d : Await.result(directories.getRecursive(dir.digest()))) {
          tree.put(d.digest(), d);
        }
      }
      node(p.node(), TarWriter.bytes("nix/store/" + p.storePath().baseName()), tar, tree);
    }
    tar.finish();
    out.flush();
  }

  private void node(Node node, byte[] path, TarWriter tar, Map<B3Digest, Directory> tree) throws IOException {
    if (node instanceof SymlinkNode link) {
      tar.symlink(path, link.target().bytes());
    } else if (node instanceof FileNode file) {
      file(file, path, tar);
    } else if (node instanceof DirectoryNode dirNode) {
      Directory dir = tree.get(dirNode.digest());
      if (dir == null) {
        throw new IncompleteTreeException("directory " + dirNode.digest() + " of " + show(path) + " is missing from the directory store");
      }
      tar.directory(path, 0555);
      for (Node child : dir.nodes()) {
        node(child, TarWriter.child(path, child.name().bytes()), tar, tree);
      }
    }
  }

  private void file(FileNode file, byte[] path, TarWriter tar) throws IOException {
    tar.fileStart(path, file.executable() ? 0555 : 0444, file.size());
    FileContents.stream(blobs, file, show(path), tar::contents);
    tar.fileEnd(file.size());
  }

  private static String show(byte[] path) {
    return new String(path, StandardCharsets.UTF_8);
  }
}
