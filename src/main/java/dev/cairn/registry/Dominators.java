package dev.cairn.registry;

import dev.cairn.nix.StorePath;
import dev.cairn.store.PathInfo;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Immediate dominators in a closure's reference graph under a virtual root that refers to the
 * top-level paths (Cooper, Harvey and Kennedy, "A Simple, Fast Dominance Algorithm"). The
 * traversal visits references in store path order, so the result is a function of the closure.
 */
final class Dominators {
  private Dominators() {}

  /** Each path's immediate dominator; null for paths the virtual root dominates directly. */
  static Map<StorePath, StorePath> of(List<PathInfo> tops, Map<StorePath, PathInfo> closure) {
    List<StorePath> order = reversePostorder(tops, closure);
    Map<StorePath, Integer> rank = new HashMap<>();
    for (int i = 0; i < order.size(); i++) {
      rank.put(order.get(i), i + 1);
    }
    Map<StorePath, List<StorePath>> preds = new HashMap<>();
    for (PathInfo p : closure.values()) {
      for (StorePath r : p.references()) {
        if (!r.equals(p.storePath()) && closure.containsKey(r)) {
          preds.computeIfAbsent(r, k -> new ArrayList<>()).add(p.storePath());
        }
      }
    }
    Set<StorePath> topSet = new HashSet<>();
    tops.forEach(t -> topSet.add(t.storePath()));
    // rank 0 is the virtual root; idom as ranks
    int[] idom = new int[order.size() + 1];
    java.util.Arrays.fill(idom, -1);
    idom[0] = 0;
    boolean changed = true;
    while (changed) {
      changed = false;
      for (StorePath b : order) {
        int next = -1;
        List<Integer> ps = new ArrayList<>();
        if (topSet.contains(b)) {
          ps.add(0);
        }
        preds.getOrDefault(b, List.of()).forEach(p -> ps.add(rank.get(p)));
        for (int p : ps) {
          if (idom[p] == -1) {
            continue;
          }
          next = next == -1 ? p : intersect(idom, p, next);
        }
        if (idom[rank.get(b)] != next) {
          idom[rank.get(b)] = next;
          changed = true;
        }
      }
    }
    Map<StorePath, StorePath> out = new HashMap<>();
    for (StorePath b : order) {
      int d = idom[rank.get(b)];
      out.put(b, d == 0 ? null : order.get(d - 1));
    }
    return out;
  }

  /** With ranks in reverse postorder, a dominator has the smaller rank. */
  private static int intersect(int[] idom, int a, int b) {
    while (a != b) {
      while (a > b) {
        a = idom[a];
      }
      while (b > a) {
        b = idom[b];
      }
    }
    return a;
  }

  private static List<StorePath> reversePostorder(List<PathInfo> tops, Map<StorePath, PathInfo> closure) {
    List<StorePath> post = new ArrayList<>();
    Set<StorePath> seen = new HashSet<>();
    for (PathInfo top : tops) {
      if (!seen.add(top.storePath())) {
        continue;
      }
      // iterative DFS: a frame is a path, its references in order, and the index of the next one
      Deque<Object[]> stack = new ArrayDeque<>();
      stack.push(frame(top.storePath(), closure));
      while (!stack.isEmpty()) {
        Object[] frame = stack.peek();
        StorePath p = (StorePath) frame[0];
        @SuppressWarnings("unchecked")
        List<StorePath> refs = (List<StorePath>) frame[1];
        int i = (Integer) frame[2];
        if (i < refs.size()) {
          frame[2] = i + 1;
          if (seen.add(refs.get(i))) {
            stack.push(frame(refs.get(i), closure));
          }
        } else {
          stack.pop();
          post.add(p);
        }
      }
    }
    java.util.Collections.reverse(post);
    return post;
  }

  private static Object[] frame(StorePath p, Map<StorePath, PathInfo> closure) {
    List<StorePath> refs = closure.get(p).references().stream().filter(r -> !r.equals(p) && closure.containsKey(r)).sorted().toList();
    return new Object[] {p, refs, 0};
  }
}
