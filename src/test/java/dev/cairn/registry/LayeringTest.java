package dev.cairn.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.FileNode;
import dev.cairn.castore.PathComponent;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.StorePath;
import dev.cairn.store.PathInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Both layering strategies on a small closure: tops a and b, a → c, d; b → c; d → e. Each gives
 * one answer for one closure, whatever order the paths come in, and respects the budget.
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
    List<List<PathInfo>> layers = Layering.sizeFirst(List.of(a, bWithC), closure, 10);
    // b (100, needed by b) and c (100, needed by both) tie on size: store path order (hash first) decides
    assertEquals(List.of(names(bWithC), names(c), names(e, d, a)), layers.stream().map(LayeringTest::names).toList());
    List<List<PathInfo>> two = Layering.sizeFirst(List.of(a, bWithC), closure, 2);
    assertEquals(List.of(names(bWithC), names(c, e, d, a)), two.stream().map(LayeringTest::names).toList());
  }

  @Test
  void popularityRanksDominatorGroupsByReferrers() {
    Map<StorePath, Long> referrers = Map.of(c.storePath(), 2L, d.storePath(), 1L, e.storePath(), 1L);
    List<List<PathInfo>> layers = Layering.popularity(List.of(a, bWithC), closure, referrers, 10);
    assertEquals(List.of(names(c), names(bWithC), names(a, d, e)), layers.stream().map(LayeringTest::names).toList());
    List<List<PathInfo>> two = Layering.popularity(List.of(a, bWithC), closure, referrers, 2);
    assertEquals(List.of(names(c), names(bWithC, a, d, e)), two.stream().map(LayeringTest::names).toList());
    // without b, a dominates everything: one group
    assertEquals(1, Layering.popularity(List.of(a), closure(a, c, d, e), referrers, 10).size());
    assertEquals(List.of(names(b)), Layering.popularity(List.of(b), closure(b), Map.of(), 10).stream().map(LayeringTest::names).toList());
  }

  private static Map<StorePath, PathInfo> closure(PathInfo... paths) {
    Map<StorePath, PathInfo> out = new TreeMap<>();
    Arrays.stream(paths).forEach(p -> out.put(p.storePath(), p));
    return out;
  }

  private static String names(PathInfo... paths) {
    return String.join(",", Arrays.stream(paths).map(p -> p.storePath().name()).toList());
  }

  private static String names(List<PathInfo> paths) {
    return names(paths.toArray(PathInfo[]::new));
  }

  private static PathInfo path(char letter, long size, PathInfo... refs) {
    StorePath sp = StorePath.parseBaseName(String.valueOf(letter).repeat(32).replace('e', 'f') + "-" + letter);
    byte[] digest = new byte[32];
    digest[0] = (byte) letter;
    return PathInfo.withUnresolvedReferences(sp, new FileNode(PathComponent.of(sp.baseNameBytes()), B3Digest.of(digest), size, false), size,
        new Hash(HashAlgorithm.SHA256, digest), List.of(), Optional.empty(), Optional.empty(),
        Arrays.stream(refs).map(PathInfo::storePath).toList());
  }
}
