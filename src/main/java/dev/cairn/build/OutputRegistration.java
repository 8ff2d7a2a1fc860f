package dev.cairn.build;

import dev.cairn.castore.Node;
import dev.cairn.castore.NarIngester;
import dev.cairn.castore.PathComponent;
import dev.cairn.nix.StorePath;
import dev.cairn.store.PathInfo;
import dev.cairn.store.PathInfoUploads;
import dev.cairn.validation.ValidationException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@code register=true}: outputs that are store paths ({@code nix/store/<hash>-<name>}) become
 * PathInfos through the one entry for PathInfos from outside ({@link PathInfoUploads}): NAR hash
 * and size from the ingest, references = the found needles that are the hash part of an input's
 * or an output's store path (Nix's rule: a reference is a store path hash found in the output).
 */
final class OutputRegistration {
  private final PathInfoUploads uploads;

  OutputRegistration(PathInfoUploads uploads) {
    this.uploads = uploads;
  }

  /** Blocking (a build worker): stores the PathInfos and answers their paths. */
  List<StorePath> register(BuildJob job, List<NarIngester.Result> nars, List<List<Long>> needles) throws Exception {
    BuildRequest request = job.request();
    Map<String, StorePath> byHash = new HashMap<>();
    for (Node input : request.inputs()) {
      storePath(input.name().toString()).ifPresent(p -> byHash.put(p.hashPart(), p));
    }
    List<Optional<StorePath>> outputPaths = new ArrayList<>();
    for (String output : request.outputs()) {
      Optional<StorePath> p = output.startsWith("nix/store/") && output.indexOf('/', "nix/store/".length()) < 0
          ? storePath(output.substring("nix/store/".length())) : Optional.empty();
      p.ifPresent(sp -> byHash.put(sp.hashPart(), sp));
      outputPaths.add(p);
    }
    List<StorePath> registered = new ArrayList<>();
    for (int i = 0; i < request.outputs().size(); i++) {
      if (outputPaths.get(i).isEmpty()) {
        continue;
      }
      StorePath path = outputPaths.get(i).get();
      List<StorePath> refs = new ArrayList<>();
      for (long n : needles.get(i)) {
        StorePath ref = byHash.get(request.refscanNeedles().get((int) n));
        if (ref != null && !refs.contains(ref)) {
          refs.add(ref);
        }
      }
      refs.sort(Comparator.comparing(StorePath::baseName));
      NarIngester.Result nar = nars.get(i);
      PathInfo info = PathInfo.withUnresolvedReferences(path, nar.root().withName(PathComponent.of(path.baseName())), nar.narSize(),
          nar.narSha256(), List.of(), Optional.empty(), Optional.empty(), refs);
      try {
        uploads.accept(info, job.user()).toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception c ? c : e;
      }
      registered.add(path);
    }
    return registered;
  }

  private static Optional<StorePath> storePath(String baseName) {
    try {
      return Optional.of(StorePath.parseBaseName(baseName));
    } catch (ValidationException e) {
      return Optional.empty();
    }
  }
}
