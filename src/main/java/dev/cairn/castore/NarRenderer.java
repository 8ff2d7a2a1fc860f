package dev.cairn.castore;

import dev.cairn.nix.NarWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * castore → NAR: the one renderer, byte-identical to {@code nix-store --dump} of the same tree
 * (entries in name order, as directories keep them). Blocking: run on a worker pool of its own;
 * it streams blobs a piece at a time, so no file is held in memory.
 */
public final class NarRenderer {

  private final BlobService blobs;
  private final DirectoryService directories;

  public NarRenderer(BlobService blobs, DirectoryService directories) {
    this.blobs = blobs;
    this.directories = directories;
  }

  public void render(Node root, OutputStream out) throws IOException {
    Map<B3Digest, Directory> tree = new HashMap<>();
    if (root instanceof DirectoryNode dir) {
      for (Directory d : Await.result(directories.getRecursive(dir.digest()))) {
        tree.put(d.digest(), d);
      }
    }
    NarWriter writer = new NarWriter(out);
    node(root, writer, tree);
    writer.end();
  }

  private void node(Node node, NarWriter w, Map<B3Digest, Directory> tree) throws IOException {
    if (node instanceof SymlinkNode link) {
      w.symlink(link.target().bytes());
    } else if (node instanceof FileNode file) {
      w.fileStart(file.executable(), file.size());
      FileContents.stream(blobs, file, file.name().toString(), piece -> w.fileContents(ByteBuffer.wrap(piece)));
      w.fileEnd();
    } else if (node instanceof DirectoryNode dirNode) {
      Directory dir = tree.get(dirNode.digest());
      if (dir == null) {
        throw new IncompleteTreeException("directory " + dirNode.digest() + " of " + dirNode.name() + " is missing from the directory store");
      }
      w.directoryStart();
      for (Node child : dir.nodes()) {
        w.entryStart(child.name().bytes());
        node(child, w, tree);
        w.entryEnd();
      }
      w.directoryEnd();
    }
  }
}
