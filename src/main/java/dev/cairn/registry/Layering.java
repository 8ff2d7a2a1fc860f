package dev.cairn.registry;

import dev.cairn.nix.StorePath;
import dev.cairn.store.PathInfo;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups a closure into at most {@code maxLayers} store layers, by one of two strategies
 * ({@code registry.layering}). Size-first (the default): repeatedly take the
 * largest remaining path (ties by store path) and put with it every remaining path needed by the
 * same set of top-level paths; the last allowed layer takes all that remains. Both strategies then
 * {@linkplain #spread spread} their groups over the unused budget: paths leave their groups for layers
 * of their own (the largest first, or the most popular), so a closure of one top-level package
 * still becomes many layers that other images can share. Every sort is a total order, so one
 * closure always gives the same layers.
 */
final class Layering {
  /** The strategies. */
  enum Strategy {
    SIZE,
    POPULARITY
  }

  /** Largest NAR first, ties by store path. */
  static final Comparator<PathInfo> LARGEST_FIRST = Comparator.comparingLong(PathInfo::narSize).reversed().thenComparing(PathInfo::storePath);

  private Layering() {}

  /**
   * Popularity (Nixery's idea, with popularity from this store's own reverse-reference counts):
   * the closure's dominator tree under a virtual root above the top-level paths; each child of
   * the root makes a group with everything it dominates (nothing outside the group needs those
   * paths); groups are ranked by their root's popularity, then total NAR size, then store path;
   * the most popular get layers of their own, the last allowed layer takes the rest.
   */
  static List<List<PathInfo>> popularity(List<PathInfo> tops, Map<StorePath, PathInfo> closure, Map<StorePath, Long> referrers, int maxLayers) {
    Map<StorePath, StorePath> idom = Dominators.of(tops, closure);
    Map<StorePath, List<PathInfo>> groups = new HashMap<>();
    for (PathInfo p : closure.values()) {
      StorePath top = p.storePath();
      while (idom.get(top) != null) {
        top = idom.get(top);
      }
      groups.computeIfAbsent(top, k -> new ArrayList<>()).add(p);
    }
    List<StorePath> roots = new ArrayList<>(groups.keySet());
    Map<StorePath, Long> sizes = new HashMap<>();
    groups.forEach((root, members) -> sizes.put(root, members.stream().mapToLong(PathInfo::narSize).sum()));
    roots.sort(Comparator.<StorePath>comparingLong(r -> referrers.getOrDefault(r, 0L)).reversed()
        .thenComparing(Comparator.<StorePath>comparingLong(sizes::get).reversed()).thenComparing(Comparator.naturalOrder()));
    List<List<PathInfo>> layers = new ArrayList<>();
    for (StorePath root : roots) {
      List<PathInfo> members = groups.get(root);
      members.sort(Comparator.comparing(PathInfo::storePath));
      if (layers.size() < maxLayers) {
        layers.add(new ArrayList<>(members));
      } else {
        layers.get(maxLayers - 1).addAll(members);
      }
    }
    Comparator<PathInfo> popular = Comparator.<PathInfo>comparingLong(p -> referrers.getOrDefault(p.storePath(), 0L)).reversed()
        .thenComparing(LARGEST_FIRST);
    return spread(layers, maxLayers, popular);
  }

  static List<List<PathInfo>> sizeFirst(List<PathInfo> tops, Map<StorePath, PathInfo> closure, int maxLayers) {
    Map<StorePath, BitSet> neededBy = neededBy(tops, closure);
    List<PathInfo> remaining = new ArrayList<>(closure.values());
    remaining.sort(LARGEST_FIRST);
    List<List<PathInfo>> layers = new ArrayList<>();
    while (!remaining.isEmpty()) {
      if (layers.size() == maxLayers - 1) {
        layers.add(remaining);
        break;
      }
      BitSet key = neededBy.get(remaining.get(0).storePath());
      List<PathInfo> layer = new ArrayList<>();
      List<PathInfo> rest = new ArrayList<>();
      for (PathInfo p : remaining) {
        (neededBy.get(p.storePath()).equals(key) ? layer : rest).add(p);
      }
      layers.add(layer);
      remaining = rest;
    }
    return spread(layers, maxLayers, LARGEST_FIRST);
  }

  /**
   * Uses the budget the grouping left: the paths of groups with more than one member, in
   * {@code order}, each leave their group for a layer of their own while layers remain, those
   * layers first (in that order), then what is left of the groups (in their order). A closure of n
   * paths gets min(n, maxLayers) layers.
   */
  static List<List<PathInfo>> spread(List<List<PathInfo>> groups, int maxLayers, Comparator<PathInfo> order) {
    List<List<PathInfo>> left = new ArrayList<>();
    Map<StorePath, Integer> groupOf = new HashMap<>();
    List<PathInfo> candidates = new ArrayList<>();
    for (List<PathInfo> group : groups) {
      group.forEach(p -> groupOf.put(p.storePath(), left.size()));
      if (group.size() > 1) {
        candidates.addAll(group);
      }
      left.add(new ArrayList<>(group));
    }
    candidates.sort(order);
    List<List<PathInfo>> own = new ArrayList<>();
    for (PathInfo p : candidates) {
      if (own.size() + left.size() >= maxLayers) {
        break;
      }
      List<PathInfo> group = left.get(groupOf.get(p.storePath()));
      if (group.size() > 1) {
        group.remove(p);
        own.add(List.of(p));
      }
    }
    own.addAll(left);
    return own;
  }

  /** For each path, the indexes of the top-level paths whose closure holds it. */
  static Map<StorePath, BitSet> neededBy(List<PathInfo> tops, Map<StorePath, PathInfo> closure) {
    Map<StorePath, BitSet> out = new HashMap<>();
    closure.keySet().forEach(p -> out.put(p, new BitSet()));
    for (int i = 0; i < tops.size(); i++) {
      ArrayDeque<StorePath> queue = new ArrayDeque<>(List.of(tops.get(i).storePath()));
      while (!queue.isEmpty()) {
        StorePath p = queue.poll();
        BitSet set = out.get(p);
        if (set.get(i)) {
          continue;
        }
        set.set(i);
        closure.get(p).references().forEach(queue::add);
      }
    }
    return out;
  }
}
