package dev.cairn.castore;

import dev.cairn.validation.ValidationException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated Directory Put stream (WIRE.md §3): directories sent leaves to root, each
 * referencing only directories sent before it <em>in the same stream</em> (never one stored by
 * an earlier stream: a client cannot graft onto a tree it did not send, and a stored closure is
 * always complete), with sizes that fit; duplicates tolerated; the last one is the root and every
 * other one is reachable from it. Build it message by message with {@link Builder} so that a
 * bad stream is refused at its first bad directory.
 */
public final class DirectoryClosure {
  private final Map<B3Digest, Directory> directories;
  private final Directory root;

  private DirectoryClosure(Map<B3Digest, Directory> directories, Directory root) {
    this.directories = Collections.unmodifiableMap(directories);
    this.root = root;
  }

  public static DirectoryClosure of(List<Directory> leavesToRoot) {
    Builder b = new Builder();
    leavesToRoot.forEach(b::add);
    return b.build();
  }

  /** Each directory once, by digest, leaves first. */
  public Map<B3Digest, Directory> directories() {
    return directories;
  }

  public Directory root() {
    return root;
  }

  /** Checks each directory as it arrives. */
  public static final class Builder {
    private final Map<B3Digest, Directory> sent = new LinkedHashMap<>();
    private Directory last;
    private int count;

    /** Adds the next directory of the stream; {@link ValidationException} names it as {@code directories[i]}. */
    public Builder add(Directory d) {
      List<DirectoryNode> children = d.directories();
      for (int j = 0; j < children.size(); j++) {
        DirectoryNode child = children.get(j);
        String field = "directories[" + count + "].directories[" + j + "]";
        Directory known = sent.get(child.digest());
        if (known == null) {
          throw new ValidationException(field, "references directory " + child.digest()
              + ", which was not sent before it in this stream (a stream must carry the whole closure, leaves first)");
        }
        DirectorySizeFormula.checkClaimedSize(field + ".size", child.size(), known);
      }
      sent.putIfAbsent(d.digest(), d);
      last = d;
      count++;
      return this;
    }

    /** Directories received so far, duplicates included. */
    public int count() {
      return count;
    }

    public DirectoryClosure build() {
      if (last == null) {
        throw new ValidationException("directories", "the closure is empty: at least the root is required");
      }
      Set<B3Digest> reachable = new HashSet<>();
      ArrayDeque<Directory> queue = new ArrayDeque<>(List.of(last));
      while (!queue.isEmpty()) {
        Directory d = queue.poll();
        if (reachable.add(d.digest())) {
          for (DirectoryNode child : d.directories()) {
            queue.add(sent.get(child.digest()));
          }
        }
      }
      for (B3Digest digest : sent.keySet()) {
        if (!reachable.contains(digest)) {
          throw new ValidationException("directories",
              "directory " + digest + " is not reachable from the root " + last.digest() + " (the last directory sent)");
        }
      }
      return new DirectoryClosure(new LinkedHashMap<>(sent), last);
    }
  }
}
