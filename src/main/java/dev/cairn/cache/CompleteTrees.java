package dev.cairn.cache;

import dev.cairn.castore.Node;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Root nodes of stored paths whose whole tree {@link TreeCheck} found in castore, so the next
 * download of the same NAR starts without checking again (a stat per file: a NAR of a thousand
 * files was a thousand queries before its first byte). Sound because what a stored PathInfo
 * reaches is a garbage collection root: its tree stays complete while any path holds it. Should
 * a blob still vanish (a lost chunk store), the rendering fails and the response is reset, never
 * a short 200 ({@link NarResponses}). Bounded: the least recently used root out.
 */
final class CompleteTrees {
  private static final int MAX_ROOTS = 65_536;

  private final Map<Node, Boolean> roots = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Node, Boolean> eldest) {
      return size() > MAX_ROOTS;
    }
  };

  synchronized boolean contains(Node root) {
    return roots.get(root) != null;
  }

  synchronized void add(Node root) {
    roots.put(root, Boolean.TRUE);
  }
}
