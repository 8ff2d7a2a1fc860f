package dev.cairn.frankenbuild;

import dev.cairn.attest.OutputHash;
import dev.cairn.attest.OutputVotes;
import dev.cairn.attest.Vote;
import dev.cairn.castore.Node;
import dev.cairn.nix.Hash;
import dev.cairn.nix.StorePath;
import dev.cairn.store.PathInfo;
import dev.cairn.store.PathInfoConflicts;
import dev.cairn.store.ReferenceGraph;
import dev.cairn.store.ReferenceNode;
import dev.cairn.store.StorePathDigest;
import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Frankenbuild check of a closure (issue 9): walks the references of a path breadth-first, a
 * page of {@value ReferenceGraph#PAGE} paths per step (one query for their edges, one for the
 * claims and one for the votes on the references not judged yet), and reports every edge P → R
 * whose reference content is in doubt:
 *
 * <ul>
 *   <li>the node recorded for R when P was stored is not the node this store holds for R now;
 *   <li>someone offered other content for R: a refused upload ({@link PathInfoConflicts}) whose
 *       node differs from what P was built against or from what is held, or an upstream's signed
 *       narinfo whose NAR hash differs from what is held;
 *   <li>builders' attestations of R disagree with each other, or with the NAR hash held for R.
 * </ul>
 *
 * Bounded: at most {@code maxPaths} paths are expanded (then {@code truncated}), each reference
 * is judged once however many paths refer to it, at most {@link #MAX_EDGES} edges and
 * {@link #MAX_EVIDENCE} pieces of evidence per edge are kept. Everything is asynchronous
 * database reads and a little grouping per page: nothing blocks an event loop.
 */
public final class ClosureCheck {
  static final int MAX_EDGES = 1000;
  static final int MAX_EVIDENCE = 50;

  private final ReferenceGraph graph;
  private final PathInfoConflicts conflicts;
  private final OutputVotes votes;
  private final int maxPaths;

  public ClosureCheck(ReferenceGraph graph, PathInfoConflicts conflicts, OutputVotes votes, int maxPaths) {
    this.graph = graph;
    this.conflicts = conflicts;
    this.votes = votes;
    this.maxPaths = maxPaths;
  }

  /** The closure of a stored path. */
  public Future<ClosureReport> check(StorePath root) {
    Walk walk = new Walk(root);
    walk.visit(StorePathDigest.of(root));
    return walk.run();
  }

  /**
   * The closure a path not stored yet would have: its own edges to the references this store
   * holds (built against what is held now, as they would be recorded), then theirs.
   */
  public Future<ClosureReport> checkOffered(PathInfo offered) {
    Walk walk = new Walk(offered.storePath());
    walk.visit(offered.digest());
    List<StorePathDigest> refs = offered.references().stream().filter(r -> !r.equals(offered.storePath())).map(StorePathDigest::of).toList();
    return graph.held(refs).compose(held -> {
      List<ReferenceGraph.Edge> own = new ArrayList<>();
      for (StorePath ref : offered.references()) {
        Optional<ReferenceGraph.Held> h = Optional.ofNullable(held.get(StorePathDigest.of(ref)));
        own.add(new ReferenceGraph.Edge(offered.storePath(), ref, h.map(x -> ReferenceNode.known(x.node())).orElse(ReferenceNode.UNKNOWN), h));
      }
      return walk.judge(own);
    }).compose(v -> walk.run());
  }

  /** One walk's state; its steps run one after another (each composed on the previous one's future). */
  private final class Walk {
    private final StorePath root;
    private final Set<StorePathDigest> visited = new HashSet<>();
    private final ArrayDeque<StorePathDigest> queue = new ArrayDeque<>();
    /** Reference → the claims and votes that doubt it; references judged without doubt map to an empty list. */
    private final Map<StorePathDigest, Doubts> judged = new HashMap<>();
    private final List<ConflictingEdge> found = new ArrayList<>();
    private boolean truncated;
    private boolean moreConflicts;
    private int checked;

    Walk(StorePath root) {
      this.root = root;
    }

    void visit(StorePathDigest d) {
      if (visited.contains(d)) {
        return;
      }
      if (visited.size() >= maxPaths) {
        truncated = true;
        return;
      }
      visited.add(d);
      queue.add(d);
    }

    Future<ClosureReport> run() {
      if (queue.isEmpty()) {
        return Future.succeededFuture(new ClosureReport(root, checked, truncated, found, moreConflicts));
      }
      List<StorePathDigest> page = new ArrayList<>();
      while (!queue.isEmpty() && page.size() < ReferenceGraph.PAGE) {
        page.add(queue.poll());
      }
      checked += page.size();
      return graph.edgesOf(page).compose(this::judge).compose(v -> run());
    }

    /** Judges the references of {@code edges} not judged yet, then every edge; queues the references held. */
    Future<Void> judge(List<ReferenceGraph.Edge> edges) {
      Map<StorePathDigest, StorePath> fresh = new LinkedHashMap<>();
      for (ReferenceGraph.Edge e : edges) {
        StorePathDigest d = StorePathDigest.of(e.reference());
        if (!e.reference().equals(e.referrer()) && !judged.containsKey(d)) {
          fresh.put(d, e.reference());
        }
      }
      Future<List<PathInfoConflicts.Claim>> claims = conflicts.of(fresh.keySet());
      Future<Map<String, List<Vote>>> tallies = votes.of(fresh.values(), false);
      return Future.all(claims, tallies).map(x -> {
        fresh.forEach((d, path) -> judged.put(d, new Doubts(new ArrayList<>(), tallies.result().getOrDefault(path.fullPath(), List.of()))));
        claims.result().forEach(c -> judged.get(StorePathDigest.of(c.storePath())).claims().add(c));
        for (ReferenceGraph.Edge e : edges) {
          if (e.reference().equals(e.referrer())) {
            continue; // a self-reference: the path's own content is judged on the edges into it
          }
          if (e.held().isPresent()) {
            visit(StorePathDigest.of(e.reference()));
          }
          edge(e, judged.get(StorePathDigest.of(e.reference())));
        }
        return null;
      });
    }

    private void edge(ReferenceGraph.Edge e, Doubts doubts) {
      List<Evidence> evidence = evidence(e, doubts);
      if (evidence.isEmpty()) {
        return;
      }
      if (found.size() >= MAX_EDGES) {
        moreConflicts = true;
        return;
      }
      Optional<Node> builtAgainst = e.recorded().node().or(() -> e.held().map(ReferenceGraph.Held::node));
      found.add(new ConflictingEdge(e.referrer(), e.reference(), builtAgainst, e.held(),
          evidence.subList(0, Math.min(MAX_EVIDENCE, evidence.size())), evidence.size() > MAX_EVIDENCE));
    }
  }

  /** What was said about one reference besides this store's record of it. */
  private record Doubts(List<PathInfoConflicts.Claim> claims, List<Vote> votes) {}

  /** The evidence against one edge, in the order: this store's record, claims, votes. */
  static List<Evidence> evidence(ReferenceGraph.Edge e, Doubts doubts) {
    List<Evidence> out = new ArrayList<>();
    Optional<Node> recorded = e.recorded().node();
    Optional<Node> held = e.held().map(ReferenceGraph.Held::node);
    if (recorded.isPresent() && held.isPresent() && !recorded.get().equals(held.get())) {
      out.add(new Evidence.ContentChanged(recorded.get(), held.get()));
    }
    Optional<Node> builtAgainst = recorded.or(() -> held);
    for (PathInfoConflicts.Claim c : doubts.claims()) {
      // A claim that differed only in signatures or deriver names the same content: no doubt.
      if (otherContent(c, builtAgainst, e.held())) {
        out.add(new Evidence.Claimed(c));
      }
    }
    if (votesDisagree(doubts.votes(), e.held().map(ReferenceGraph.Held::narSha256))) {
      doubts.votes().forEach(v -> out.add(new Evidence.Attested(v)));
    }
    return out;
  }

  /**
   * An upload's claim carries its node: other content than either the node built against or the
   * node held. An upstream's claim is a narinfo (no node): other content than the NAR hash held
   * (the node built against, when it is not the one held, is doubted by the store's own record).
   */
  private static boolean otherContent(PathInfoConflicts.Claim c, Optional<Node> builtAgainst, Optional<ReferenceGraph.Held> held) {
    if (c.offeredNode().isEmpty()) {
      return held.map(h -> !h.narSha256().equals(c.offeredNarSha256())).orElse(true);
    }
    Node offered = c.offeredNode().get();
    return builtAgainst.map(n -> !n.equals(offered)).orElse(true) || held.map(h -> !h.node().equals(offered)).orElse(false);
  }

  /** Builders disagree with each other, or a builder's NAR hash is not the one held. */
  private static boolean votesDisagree(List<Vote> votes, Optional<Hash> held) {
    Set<String> hashes = new HashSet<>();
    for (Vote v : votes) {
      OutputHash h = OutputHash.ofStored(v.hash());
      hashes.add(h.text());
      if (held.isPresent() && h.narHash().isPresent() && !h.narHash().get().equals(held.get())) {
        return true;
      }
    }
    return hashes.size() > 1;
  }
}
