package dev.cairn.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.FileNode;
import dev.cairn.castore.PathComponent;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.StorePath;
import dev.cairn.store.PathInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both layering strategies on a small closure: tops a and b, a → c, d; b → c; d → e; and on a
 * 120-path closure of one top-level path. Each gives one answer for one closure, whatever order
 * the paths come in, respects the budget and uses it: n paths make min(n, budget) layers.
 */
class LayeringTest {
  private final PathInfo e = path('e', 50);
  private final PathInfo d = path('d', 10, e);
  private final PathInfo c = path('c', 100);
  private final PathInfo a = path('a', 5, c, d);
  private final PathInfo b = path('b', 100);
  private final PathInfo bWithC = path('b', 100, c);
  private final Map<StorePath, PathInfo> closure = closure(a, bWithC, c, d, e);

  @Test
  void sizeFirstGroupsPathsNeededByTheSameTopLevelPaths() {
    // b (100, needed by b) and c (100, needed by both) tie on size: store path order (hash first) decides
    assertEquals(List.of("b", "c", "e,d,a"), names(Layering.sizeFirst(List.of(a, bWithC), closure, 3)));
    assertEquals(List.of("b", "c,e,d,a"), names(Layering.sizeFirst(List.of(a, bWithC), closure, 2)));
  }

  @Test
  void sizeFirstSpreadsTheLargestPathsOverTheUnusedBudget() {
    // one layer to spare: the largest path of a group with others (e, 50) gets its own
    assertEquals(List.of("e", "b", "c", "d,a"), names(Layering.sizeFirst(List.of(a, bWithC), closure, 4)));
    assertEquals(List.of("e", "d", "b", "c", "a"), names(Layering.sizeFirst(List.of(a, bWithC), closure, 5)));
    assertEquals(List.of("e", "d", "b", "c", "a"), names(Layering.sizeFirst(List.of(a, bWithC), closure, 100)));
    // one top-level path needs everything: without the spread this was a single layer
    assertEquals(List.of("c", "e", "d,a"), names(Layering.sizeFirst(List.of(a), closure(a, c, d, e), 3)));
  }

  @Test
  void popularityRanksDominatorGroupsByReferrers() {
    Map<StorePath, Long> referrers = Map.of(c.storePath(), 2L, d.storePath(), 1L, e.storePath(), 1L);
    assertEquals(List.of("c", "b", "a,d,e"), names(Layering.popularity(List.of(a, bWithC), closure, referrers, 3)));
    assertEquals(List.of("c", "b,a,d,e"), names(Layering.popularity(List.of(a, bWithC), closure, referrers, 2)));
    // spare layers go to the most referred-to paths of shared groups (d and e: 1), then the largest (e)
    assertEquals(List.of("e", "c", "b", "a,d"), names(Layering.popularity(List.of(a, bWithC), closure, referrers, 4)));
    assertEquals(List.of("e", "d", "c", "b", "a"), names(Layering.popularity(List.of(a, bWithC), closure, referrers, 10)));
    // without b, a dominates everything: one group, whose most referred-to path (c) gets the spare layer
    assertEquals(List.of("c", "a,d,e"), names(Layering.popularity(List.of(a), closure(a, c, d, e), referrers, 2)));
    assertEquals(List.of("b"), names(Layering.popularity(List.of(b), closure(b), Map.of(), 10)));
  }

  /** A bench-like closure: one top-level path over a chain and a fan of 119 more, sizes spread wide. */
  @ParameterizedTest
  @EnumSource(Layering.Strategy.class)
  void aClosureOfOneTopLevelPathFillsTheBudgetTheSameWayWhateverTheOrder(Layering.Strategy strategy) {
    List<PathInfo> paths = new ArrayList<>();
    Random random = new Random(12);
    for (int i = 0; i < 119; i++) {
      List<PathInfo> refs = new ArrayList<>();
      for (int r = 0; r < Math.min(i, 3); r++) {
        refs.add(paths.get(random.nextInt(i)));
      }
      // a few equal sizes, so ties are broken by store path
      paths.add(synthetic(i, i % 10 == 0 ? 4096 : 1 + random.nextInt(50_000_000), refs));
    }
    PathInfo top = synthetic(119, 1000, paths);
    paths.add(top);
    Map<StorePath, Long> referrers = new HashMap<>();
    paths.forEach(p -> p.references().forEach(r -> referrers.merge(r, 1L, Long::sum)));

    for (int budget : List.of(1, 2, 20, 99, 119, 120, 124)) {
      List<List<String>> first = null;
      for (long seed = 0; seed < 4; seed++) {
        List<PathInfo> shuffled = new ArrayList<>(paths);
        Collections.shuffle(shuffled, new Random(seed));
        Map<StorePath, PathInfo> closure = new LinkedHashMap<>();
        shuffled.forEach(p -> closure.put(p.storePath(), p));
        List<List<PathInfo>> layers = strategy == Layering.Strategy.SIZE ? Layering.sizeFirst(List.of(top), closure, budget)
            : Layering.popularity(List.of(top), closure, referrers, budget);
        assertEquals(Math.min(120, budget), layers.size(), "budget " + budget);
        assertEquals(120, layers.stream().flatMap(List::stream).map(PathInfo::storePath).distinct().count());
        assertEquals(120, layers.stream().mapToInt(List::size).sum());
        List<List<String>> named = layers.stream().map(l -> LayerRecipe.sorted(l).stream().map(p -> p.storePath().fullPath()).toList()).toList();
        if (first == null) {
          first = named;
        }
        assertEquals(first, named, "budget " + budget + ", input order " + seed);
      }
    }
    if (strategy == Layering.Strategy.SIZE) {
      // the largest paths are the ones with layers of their own, largest first
      List<List<PathInfo>> layers = Layering.sizeFirst(List.of(top), closure(paths.toArray(PathInfo[]::new)), 99);
      List<PathInfo> bySize = paths.stream().sorted(Layering.LARGEST_FIRST).toList();
      for (int i = 0; i < 98; i++) {
        assertEquals(List.of(bySize.get(i)), layers.get(i));
      }
      assertEquals(22, layers.get(98).size());
    }
  }

  private static Map<StorePath, PathInfo> closure(PathInfo... paths) {
    Map<StorePath, PathInfo> out = new TreeMap<>();
    Arrays.stream(paths).forEach(p -> out.put(p.storePath(), p));
    return out;
  }

  private static String names(PathInfo... paths) {
    return String.join(",", Arrays.stream(paths).map(p -> p.storePath().name()).toList());
  }

  private static List<String> names(List<List<PathInfo>> layers) {
    return layers.stream().map(l -> names(l.toArray(PathInfo[]::new))).toList();
  }

  /** Path number {@code i}: a hash part of nixbase32 digits of i. */
  private static PathInfo synthetic(int i, long size, List<PathInfo> refs) {
    String digits = "0123456789abcdfghijklmnpqrsvwxyz";
    StringBuilder hash = new StringBuilder();
    for (int n = i, k = 0; k < 32; k++, n /= 32) {
      hash.append(digits.charAt(n % 32));
    }
    return info(StorePath.parseBaseName(hash.reverse() + "-p" + i), size, refs);
  }

  private static PathInfo path(char letter, long size, PathInfo... refs) {
    return info(StorePath.parseBaseName(String.valueOf(letter).repeat(32).replace('e', 'f') + "-" + letter), size, Arrays.asList(refs));
  }

  private static PathInfo info(StorePath sp, long size, List<PathInfo> refs) {
    byte[] digest = Arrays.copyOf(sp.baseNameBytes(), 32);
    return PathInfo.withUnresolvedReferences(sp, new FileNode(PathComponent.of(sp.baseNameBytes()), B3Digest.of(digest), size, false), size,
        new Hash(HashAlgorithm.SHA256, digest), List.of(), Optional.empty(), Optional.empty(),
        refs.stream().map(PathInfo::storePath).toList());
  }
}
