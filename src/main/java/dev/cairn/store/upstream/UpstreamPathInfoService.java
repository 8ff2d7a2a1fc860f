package dev.cairn.store.upstream;

import dev.cairn.castore.NarIngester;
import dev.cairn.castore.PathComponent;
import dev.cairn.compression.Compression;
import dev.cairn.compression.CorruptStreamException;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.NarFormatException;
import dev.cairn.nix.NarInfo;
import dev.cairn.nix.StorePath;
import dev.cairn.server.http.StreamedNarUpload;
import dev.cairn.store.PathInfo;
import dev.cairn.store.PathInfoConflicts;
import dev.cairn.store.PathInfoService;
import dev.cairn.store.StorePathDigest;
import dev.cairn.validation.ValidationException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The upstream Nix caches as a read-only PathInfoService: the <em>far</em> side of
 * {@link dev.cairn.store.NearFarPathInfoService}, which asks it only on a local miss, shares one
 * fetch per path between concurrent askers and persists what it answers.
 *
 * <p>A get asks each upstream in priority order for the narinfo; the first that has it must pass
 * {@link TrustedNarInfo} (the path asked for, a signature by a trusted key), else the fetch is
 * refused. Its references come next, each from this store when present, otherwise pulled the same
 * way through the composition (so they too are fetched once and stored), so that the path is
 * stored knowing every reference by content; what this upstream signed for each reference is
 * compared with what is stored ({@link #compareWithUpstream}), so a path built against other
 * content of a reference than ours leaves evidence for the Frankenbuild check its composition
 * runs before keeping it. Then its NAR is streamed through its decompressor
 * into castore and must match NarHash and NarSize (FileHash/FileSize when given, and a
 * {@code fixed:r:sha256} CA); only then is the path answered. No upstream having it is a short
 * remembered miss; an upstream failing is a 502 or 504 naming it, never a hang (every request has
 * the configured timeouts).
 */
public final class UpstreamPathInfoService implements PathInfoService {
  private static final Logger LOG = Logger.getLogger("cairn.upstream");

  private final UpstreamConfig config;
  private final UpstreamClient client;
  private final NarIngester ingester;
  private final WorkerExecutor narPool;
  private final PathInfoService local;
  private final PathInfoConflicts evidence;
  private final NegativeCache misses;
  /**
   * For each path being fetched, the paths whose fetch waits for it (transitively). Nix's
   * references form a DAG apart from self-references, but two signed narinfos naming each other
   * would make each fetch wait for the other's shared flight forever: a reference that is its own
   * ancestor is refused instead. Merging the ancestors of concurrent fetches is safe: in a DAG no
   * path references any path that references it.
   */
  private final Map<StorePathDigest, Set<StorePathDigest>> waitingFor = new ConcurrentHashMap<>();
  private PathInfoService through;

  public UpstreamPathInfoService(Vertx vertx, UpstreamConfig config, NarIngester ingester, WorkerExecutor narPool, PathInfoService local,
                                 PathInfoConflicts evidence) {
    this.config = config;
    this.client = new UpstreamClient(vertx, config);
    this.ingester = ingester;
    this.narPool = narPool;
    this.local = local;
    this.evidence = evidence;
    this.misses = new NegativeCache(config.negativeTtl());
    this.through = local;
  }

  /** The composition references are pulled through (set once it exists: it wraps this service). */
  public void pullReferencesThrough(PathInfoService composed) {
    this.through = composed;
  }

  @Override
  public Future<Optional<PathInfo>> get(StorePathDigest digest) {
    if (misses.contains(digest)) {
      return Future.succeededFuture(Optional.empty());
    }
    return from(0, digest, Optional.empty());
  }

  /** Upstream {@code i} onwards; {@code failure} is the first refusal or failure seen so far. */
  private Future<Optional<PathInfo>> from(int i, StorePathDigest digest, Optional<Throwable> failure) {
    if (i == config.upstreams().size()) {
      if (failure.isPresent()) {
        return Future.failedFuture(failure.get());
      }
      misses.add(digest);
      return Future.succeededFuture(Optional.empty());
    }
    Upstream upstream = config.upstreams().get(i);
    return client.narInfo(upstream, digest.hashPart())
        .map(text -> text.map(t -> TrustedNarInfo.check(upstream, digest, t)))
        .compose(found -> found.isEmpty() ? from(i + 1, digest, failure) : fetch(found.get()).map(Optional::of))
        .recover(e -> {
          if (!(e instanceof UpstreamException)) {
            return Future.failedFuture(e);
          }
          LOG.warning(e.getMessage());
          return from(i + 1, digest, Optional.of(failure.orElse(e)));
        });
  }

  private Future<PathInfo> fetch(TrustedNarInfo trusted) {
    NarInfo info = trusted.info();
    return references(trusted).compose(v -> download(trusted)).compose(nar -> {
      try {
        return Future.succeededFuture(PathInfo.withUnresolvedReferences(info.storePath(),
            nar.root().withName(PathComponent.of(info.storePath().baseNameBytes())), nar.narSize(), nar.narSha256(), info.signatures(),
            info.deriver(), info.ca(), info.references()));
      } catch (ValidationException e) {
        // The upstream's data, not the client's request: not a 422.
        return Future.failedFuture(UpstreamException.badGateway(trusted.upstream(), "narinfo of " + info.storePath().baseName()
            + " does not make a valid PathInfo: " + e.getMessage()));
      }
    });
  }

  /** Every reference but the path itself in this store, pulled when absent, at most maxConcurrentFetches at once. */
  private Future<Void> references(TrustedNarInfo trusted) {
    List<StorePath> refs = new ArrayList<>(trusted.info().references().stream().filter(r -> !r.equals(trusted.info().storePath())).toList());
    int lanes = Math.min(config.maxConcurrentFetches(), refs.size());
    List<Future<Void>> all = new ArrayList<>();
    AtomicInteger next = new AtomicInteger();
    for (int l = 0; l < lanes; l++) {
      all.add(lane(trusted, refs, next));
    }
    return Future.all(all).mapEmpty();
  }

  private Future<Void> lane(TrustedNarInfo trusted, List<StorePath> refs, AtomicInteger next) {
    int i = next.getAndIncrement();
    if (i >= refs.size()) {
      return Future.succeededFuture();
    }
    return reference(trusted, refs.get(i)).compose(v -> lane(trusted, refs, next));
  }

  private Future<Void> reference(TrustedNarInfo trusted, StorePath ref) {
    StorePathDigest digest = StorePathDigest.of(ref);
    StorePathDigest referrer = StorePathDigest.of(trusted.info().storePath());
    return local.get(digest).compose(stored -> {
      if (stored.isPresent()) {
        requireName(trusted, ref, stored.get());
        return compareWithUpstream(trusted, stored.get());
      }
      Set<StorePathDigest> ancestors = new HashSet<>(waitingFor.getOrDefault(referrer, Set.of()));
      ancestors.add(referrer);
      if (ancestors.contains(digest)) {
        return Future.failedFuture(UpstreamException.badGateway(trusted.upstream(), "reference " + ref.baseName() + " of "
            + trusted.info().storePath().baseName() + " references it back (a reference cycle); refused"));
      }
      waitingFor.merge(digest, ancestors, (a, b) -> {
        Set<StorePathDigest> both = new HashSet<>(a);
        both.addAll(b);
        return both;
      });
      return through.get(digest).andThen(done -> waitingFor.remove(digest)).compose(pulled -> {
        if (pulled.isEmpty()) {
          return Future.failedFuture(UpstreamException.badGateway(trusted.upstream(), "reference " + ref.baseName() + " of "
              + trusted.info().storePath().baseName() + " is in no upstream; the path is not stored without its closure"));
        }
        requireName(trusted, ref, pulled.get());
        // Pulled, but maybe from another upstream (an earlier one in the list has it).
        return compareWithUpstream(trusted, pulled.get());
      });
    });
  }

  private static void requireName(TrustedNarInfo trusted, StorePath ref, PathInfo found) {
    if (!found.storePath().equals(ref)) {
      throw UpstreamException.badGateway(trusted.upstream(), "reference " + ref.baseName() + " of " + trusted.info().storePath().baseName()
          + " names a path stored as " + found.storePath().baseName());
    }
  }

  /**
   * Frankenbuild evidence: what this upstream signed for a reference of the path it serves, which
   * that path was built against, compared with what this store holds
   * ({@link PathInfoConflicts#compareUpstream}). Not asked when what we hold carries a signature
   * by a key trusted for this upstream over its fingerprint (NAR hash, size, references): that
   * upstream signed exactly our content (it was pulled from there, or from a mirror). Only
   * evidence, so a failure to ask is logged and the fetch goes on.
   */
  private Future<Void> compareWithUpstream(TrustedNarInfo trusted, PathInfo ours) {
    Upstream upstream = trusted.upstream();
    if (signedBy(upstream, ours)) {
      return Future.succeededFuture();
    }
    return client.narInfo(upstream, ours.storePath().hashPart())
        .compose(text -> text.isEmpty() ? Future.succeededFuture(false)
            : evidence.compareUpstream(ours, TrustedNarInfo.check(upstream, ours.digest(), text.get()).info(), upstream.toString(),
                trusted.info().storePath()))
        .onSuccess(differs -> {
          if (differs) {
            LOG.warning("upstream " + upstream + " claims other content for " + ours.storePath().baseName() + " than this store holds"
                + " (seen as a reference of " + trusted.info().storePath().baseName() + "): recorded as Frankenbuild evidence");
          }
        })
        .otherwise(e -> {
          LOG.warning("cannot compare " + ours.storePath().baseName() + " with upstream " + upstream + ": " + e.getMessage());
          return false;
        })
        .mapEmpty();
  }

  private static boolean signedBy(Upstream upstream, PathInfo ours) {
    String fingerprint = ours.fingerprint();
    return ours.signatures().stream().anyMatch(s -> upstream.trusts(fingerprint, s));
  }

  private Future<NarIngester.Result> download(TrustedNarInfo trusted) {
    NarInfo info = trusted.info();
    Upstream upstream = trusted.upstream();
    String what = "NAR " + info.url() + " of " + info.storePath().baseName();
    Compression compression;
    try {
      compression = Compression.ofNixName("Compression", info.compression());
    } catch (ValidationException e) {
      return Future.failedFuture(UpstreamException.badGateway(upstream, what + ": " + e.getMessage()));
    }
    // Compressed bytes at most: FileSize when given, else NarSize plus generous framing overhead.
    long maxFileBytes = info.fileSize().orElse(info.narSize() + info.narSize() / 8 + (1 << 20));
    MessageDigest fileSha256 = HashAlgorithm.SHA256.newDigest();
    long[] fileBytes = {0};
    return client.download(upstream, info.url(), response -> StreamedNarUpload.ingest(response, ingester, narPool, maxFileBytes,
            session -> new CountingOutput(new DigestOutputStream(compression.decoder(new BoundedOutput(session, info.narSize())), fileSha256),
                fileBytes)))
        .recover(e -> Future.failedFuture(e instanceof NarFormatException || e instanceof CorruptStreamException
            || e instanceof dev.cairn.server.http.BodyTooLargeException
            ? UpstreamException.badGateway(upstream, what + " is corrupt: " + e.getMessage()) : e))
        .compose(nar -> {
          Hash file = new Hash(HashAlgorithm.SHA256, fileSha256.digest());
          Optional<String> mismatch = mismatch(info, nar, file, fileBytes[0]);
          return mismatch.isPresent()
              ? Future.failedFuture(UpstreamException.badGateway(upstream, what + " does not match its narinfo: " + mismatch.get()
                  + "; refused, nothing stored"))
              : Future.succeededFuture(nar);
        });
  }

  private static Optional<String> mismatch(NarInfo info, NarIngester.Result nar, Hash file, long fileBytes) {
    if (nar.narSize() != info.narSize()) {
      return Optional.of("NarSize is " + info.narSize() + ", the NAR is " + nar.narSize() + " bytes");
    }
    if (!nar.narSha256().equals(info.narHash())) {
      return Optional.of("NarHash is " + info.narHash().toNixString() + ", the NAR hashes to " + nar.narSha256().toNixString());
    }
    if (info.fileHash().isPresent() && info.fileHash().get().algorithm() == HashAlgorithm.SHA256 && !info.fileHash().get().equals(file)) {
      return Optional.of("FileHash is " + info.fileHash().get().toNixString() + ", the file hashes to " + file.toNixString());
    }
    if (info.fileSize().isPresent() && info.fileSize().get() != fileBytes) {
      return Optional.of("FileSize is " + info.fileSize().get() + ", the file is " + fileBytes + " bytes");
    }
    if (info.ca().isPresent() && info.ca().get().startsWith("fixed:r:")) {
      Hash ca;
      try {
        ca = Hash.parse(info.ca().get().substring("fixed:r:".length()));
      } catch (ValidationException e) {
        return Optional.of("CA " + info.ca().get() + " is malformed");
      }
      if (ca.algorithm() == HashAlgorithm.SHA256 && !ca.equals(nar.narSha256())) {
        return Optional.of("CA is " + info.ca().get() + ", the NAR hashes to " + nar.narSha256().toNixString());
      }
    }
    return Optional.empty();
  }

  @Override
  public Future<PathInfo> put(PathInfo info) {
    return Future.failedFuture(new UnsupportedOperationException("upstream caches are read-only"));
  }

  @Override
  public Future<List<PathInfo>> list(Optional<StorePathDigest> after, int limit) {
    return Future.succeededFuture(List.of());
  }

  @Override
  public Future<Boolean> delete(StorePathDigest digest) {
    return Future.failedFuture(new UnsupportedOperationException("upstream caches are read-only"));
  }

  public Future<Void> close() {
    return client.close();
  }

  /** Counts the compressed bytes (for FileSize); its close ends the input of what it wraps. */
  private static final class CountingOutput extends FilterOutputStream {
    private final long[] count;

    CountingOutput(OutputStream target, long[] count) {
      super(target);
      this.count = count;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      count[0] += len;
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
