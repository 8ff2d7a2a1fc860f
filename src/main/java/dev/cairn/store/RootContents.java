package dev.cairn.store;

import dev.cairn.castore.BlobService;
import dev.cairn.castore.DirectoryNode;
import dev.cairn.castore.DirectoryService;
import dev.cairn.castore.FileNode;
import dev.cairn.castore.Node;
import dev.cairn.validation.ValidationException;
import io.vertx.core.Future;

/**
 * A PathInfo's root node must point at contents already in castore (clients put blobs and
 * directories first), and a file node's size must be its blob's.
 */
final class RootContents {
  private RootContents() {}

  static Future<Void> require(Node node, BlobService blobs, DirectoryService directories) {
    if (node instanceof DirectoryNode d) {
      return directories.get(d.digest()).compose(found -> found.isPresent() ? Future.succeededFuture()
          : Future.failedFuture(new ValidationException("node.directory.digest", "directory " + d.digest() + " is not in castore; put it first")));
    }
    if (node instanceof FileNode f) {
      return blobs.stat(f.digest()).compose(found -> {
        if (found.isEmpty()) {
          return Future.failedFuture(new ValidationException("node.file.digest", "blob " + f.digest() + " is not in castore; put it first"));
        }
        return found.get().size() == f.size() ? Future.succeededFuture()
            : Future.failedFuture(new ValidationException("node.file.size", "is " + f.size() + ", but blob " + f.digest() + " has "
                + found.get().size() + " bytes"));
      });
    }
    return Future.succeededFuture();
  }
}
