package dev.cairn.cache;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.BlobService;
import dev.cairn.castore.Directory;
import dev.cairn.castore.DirectoryNode;
import dev.cairn.castore.DirectoryService;
import dev.cairn.castore.FileNode;
import dev.cairn.castore.Node;
import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether everything a NAR rendering will read is in castore: every directory of the tree and
 * every blob with the size its file node says. Run before a NAR response's headers, so a missing
 * object is an error status and never a truncated 200 (WIRE.md §2).
 */
final class TreeCheck {
  /** Blob stats in flight at once for one tree. */
  private static final int STATS_IN_FLIGHT = 16;

  private TreeCheck() {}

  /** Empty when complete, else what is missing. */
  static Future<Optional<String>> missing(Node root, BlobService blobs, DirectoryService directories) {
    if (root instanceof FileNode f) {
      return blobs(List.of(f), blobs);
    }
    if (!(root instanceof DirectoryNode dir)) {
      return Future.succeededFuture(Optional.empty());
    }
    return directories.getRecursive(dir.digest()).compose(list -> {
      Map<B3Digest, Directory> tree = new HashMap<>();
      list.forEach(d -> tree.put(d.digest(), d));
      Map<B3Digest, FileNode> files = new LinkedHashMap<>();
      Deque<DirectoryNode> todo = new ArrayDeque<>(List.of(dir));
      java.util.Set<B3Digest> seen = new java.util.HashSet<>();
      while (!todo.isEmpty()) {
        DirectoryNode next = todo.pop();
        if (!seen.add(next.digest())) {
          continue;
        }
        Directory d = tree.get(next.digest());
        if (d == null) {
          return Future.succeededFuture(Optional.of("directory " + next.digest() + " (" + next.name() + ") is missing"));
        }
        d.files().forEach(file -> files.putIfAbsent(file.digest(), file));
        todo.addAll(d.directories());
      }
      return blobs(new ArrayList<>(files.values()), blobs);
    });
  }

  private static Future<Optional<String>> blobs(List<FileNode> files, BlobService blobs) {
    return batch(files, 0, blobs);
  }

  private static Future<Optional<String>> batch(List<FileNode> files, int from, BlobService blobs) {
    if (from >= files.size()) {
      return Future.succeededFuture(Optional.empty());
    }
    List<FileNode> part = files.subList(from, Math.min(files.size(), from + STATS_IN_FLIGHT));
    List<Future<Optional<String>>> checks = new ArrayList<>();
    for (FileNode f : part) {
      checks.add(blobs.stat(f.digest()).map(stat -> stat.isEmpty() ? Optional.of("blob " + f.digest() + " (" + f.name() + ") is missing")
          : stat.get().size() != f.size() ? Optional.of("blob " + f.digest() + " has " + stat.get().size() + " bytes, its file node says " + f.size())
          : Optional.<String>empty()));
    }
    return Future.all(checks).compose(all -> {
      for (Future<Optional<String>> c : checks) {
        if (c.result().isPresent()) {
          return Future.succeededFuture(c.result());
        }
      }
      return batch(files, from + STATS_IN_FLIGHT, blobs);
    });
  }
}
