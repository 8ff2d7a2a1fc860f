package dev.cairn.cache;

import dev.cairn.castore.DirectoryNode;
import dev.cairn.castore.FileNode;
import dev.cairn.castore.IncompleteTreeException;
import dev.cairn.castore.NarLayout;
import dev.cairn.castore.Node;
import dev.cairn.castore.SymlinkNode;
import dev.cairn.server.http.ClientError;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * The file listing Nix writes beside a NAR ({@code <hash>.ls} with {@code write-nar-listing=true},
 * read by its lazy NAR accessor): {@code {"version":1,"root":<node>}} where a node is
 * {@code {"type":"regular","size":n,"executable":true,"narOffset":o}} (executable only when
 * true; narOffset is the NAR offset of the first content byte), {@code {"type":"symlink",
 * "target":t}} or {@code {"type":"directory","entries":{name: node, …}}} in name order. Computed
 * from the castore nodes and their {@link NarLayout}, never by rendering the NAR. Names and targets
 * are bytes in a NAR; the listing holds them decoded as UTF-8 (what Nix's JSON writer assumes too).
 */
final class NarListing {
  /** Entries in one listing; a bigger tree answers 404, and Nix falls back to the NAR itself. */
  static final int MAX_ENTRIES = 200_000;

  static final class TooLarge extends RuntimeException implements ClientError {
    TooLarge() {
      super("the listing would have more than " + MAX_ENTRIES + " entries; fetch the NAR instead", null, false, false);
    }

    @Override
    public int httpStatus() {
      return 404;
    }
  }

  private final NarLayout layout;
  private int entries;

  private NarListing(NarLayout layout) {
    this.layout = layout;
  }

  static JsonObject of(Node root, NarLayout layout) throws IncompleteTreeException {
    return new JsonObject().put("version", 1).put("root", new NarListing(layout).node(root, NarLayout.HEADER));
  }

  private JsonObject node(Node node, long start) throws IncompleteTreeException {
    if (++entries > MAX_ENTRIES) {
      throw new TooLarge();
    }
    JsonObject out = new JsonObject();
    if (node instanceof FileNode f) {
      out.put("type", "regular").put("size", f.size());
      if (f.executable()) {
        out.put("executable", true);
      }
      return out.put("narOffset", start + NarLayout.contentsOffset(f.executable()));
    }
    if (node instanceof SymlinkNode s) {
      return out.put("type", "symlink").put("target", new String(s.target().bytes(), StandardCharsets.UTF_8));
    }
    JsonObject children = new JsonObject();
    long position = start + NarLayout.DIRECTORY_START;
    for (Node child : layout.directory((DirectoryNode) node).nodes()) {
      children.put(new String(child.name().bytes(), StandardCharsets.UTF_8), node(child, position + NarLayout.entryStart(child.name())));
      position += layout.entrySize(child);
    }
    return out.put("type", "directory").put("entries", children);
  }
}
