package dev.cairn.cache;

import dev.cairn.castore.NarIngester;
import dev.cairn.castore.PathComponent;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.NarInfo;
import dev.cairn.nix.StorePath;
import dev.cairn.server.http.HttpErrors;
import dev.cairn.server.http.JsonError;
import dev.cairn.server.http.RawBody;
import dev.cairn.server.http.StreamedNarUpload;
import dev.cairn.server.http.Writes;
import dev.cairn.store.NarSummary;
import dev.cairn.store.PathInfo;
import dev.cairn.store.Store;
import dev.cairn.store.StorePathDigest;
import dev.cairn.users.User;
import dev.cairn.validation.ValidationException;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The write side of the binary cache protocol, as {@code nix copy --to http://…} sends it: each
 * NAR first ({@code PUT /nar/<file sha256 nix32>.nar}), streamed into castore and kept pending
 * under its file hash, then its narinfo ({@code PUT /<hash32>.narinfo}), which binds to the
 * pending NAR by FileHash, must agree with what was ingested, and stores the PathInfo through
 * {@link dev.cairn.store.PathInfoUploads} (immutable: the same content again is fine, other
 * content is a 409 kept as evidence).
 */
final class CacheUploads {
  private final Store store;
  private final PendingNars pending;
  private final long maxNarBytes;

  CacheUploads(Store store, PendingNars pending, long maxNarBytes) {
    this.store = store;
    this.pending = pending;
    this.maxNarBytes = maxNarBytes;
  }

  /** {@code PUT /nar/<file>}: after {@code Writes.streamed}, the request is paused with its body unread. */
  void putNar(RoutingContext rc) {
    NarFile file;
    try {
      file = NarFile.parse(rc.pathParam("file"));
    } catch (ValidationException e) {
      rejectUnread(rc, 400, e.getMessage());
      return;
    }
    User uploader = Writes.user(rc);
    long started = System.currentTimeMillis();
    MessageDigest sha256 = HashAlgorithm.SHA256.newDigest();
    StreamedNarUpload.ingest(rc.request(), store.ingester(), store.narPool(), maxNarBytes,
            session -> new DigestOutputStream(file.decoder(session, maxNarBytes), sha256))
        .compose(nar -> {
          Hash actual = new Hash(HashAlgorithm.SHA256, sha256.digest());
          if (!actual.equals(file.sha256())) {
            return Future.failedFuture(new UploadRefused(400, "nar: the uploaded file hashes to " + actual.toNix32()
                + ", not to its name " + file.sha256().toNix32()));
          }
          return store.narCalculation().remember(nar.root(), new NarSummary(nar.narSize(), nar.narSha256()))
              .compose(v -> pending.put(file.sha256(), nar, uploader, started));
        })
        .onSuccess(v -> rc.response().setStatusCode(200).end())
        .onFailure(e -> answer(rc, e));
  }

  /** {@code PUT /<hash32>.narinfo}, after {@code Writes.body}. */
  void putNarInfo(RoutingContext rc) {
    String file = rc.request().path().substring(1);
    String hashPart = file.substring(0, file.length() - ".narinfo".length());
    NarInfo info;
    try {
      StorePath.fromHashPart(hashPart);
      info = NarInfo.parse(RawBody.of(rc).toString(StandardCharsets.UTF_8));
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    if (!info.storePath().hashPart().equals(hashPart)) {
      HttpErrors.answer(rc, new ValidationException("StorePath", "is " + info.storePath().fullPath() + ", whose hash is not the URL's "
          + hashPart));
      return;
    }
    Hash fileHash;
    try {
      fileHash = info.fileHash().orElseGet(() -> NarFile.parse(info.url().startsWith("nar/") ? info.url().substring(4) : info.url()).sha256());
    } catch (ValidationException e) {
      HttpErrors.answer(rc, new ValidationException("URL", "must be nar/<file sha256 nix32>.nar[.zst] when FileHash is absent, got "
          + info.url()));
      return;
    }
    User uploader = Writes.user(rc);
    pending.get(fileHash).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(new UploadRefused(409, "FileHash: no NAR " + fileHash.toNix32()
            + " was uploaded in the last " + pending.lifetime().toSeconds() + " s; PUT /nar/" + fileHash.toNix32()
            + ".nar before its narinfo"));
      }
      NarIngester.Result nar = found.get();
      if (nar.narSize() != info.narSize()) {
        return Future.failedFuture(new ValidationException("NarSize", "is " + info.narSize() + ", but the uploaded NAR is "
            + nar.narSize() + " bytes"));
      }
      if (!nar.narSha256().equals(info.narHash())) {
        return Future.failedFuture(new ValidationException("NarHash", "is " + info.narHash().toNixString()
            + ", but the uploaded NAR hashes to " + nar.narSha256().toNixString()));
      }
      PathInfo offered = PathInfo.withUnresolvedReferences(info.storePath(), nar.root().withName(PathComponent.of(info.storePath().baseNameBytes())),
          nar.narSize(), nar.narSha256(), info.signatures(), info.deriver(), info.ca(), info.references());
      return missingReference(info).compose(missing -> missing.isPresent()
          ? Future.failedFuture(new UploadRefused(409, "References: " + missing.get().baseName() + " is not in this cache; upload it first"
              + " (nix copy uploads dependencies first)"))
          : store.uploads().accept(offered, uploader).compose(stored -> pending.remove(fileHash)));
    }).onSuccess(v -> rc.response().setStatusCode(200).end()).onFailure(e -> answer(rc, e));
  }

  /**
   * The first reference (other than the path itself) this store lacks: a path is only stored
   * with its closure, so a reader never gets a narinfo whose references it cannot fetch.
   */
  private Future<Optional<StorePath>> missingReference(NarInfo info) {
    Future<Optional<StorePath>> first = Future.succeededFuture(Optional.empty());
    for (StorePath ref : info.references()) {
      if (ref.equals(info.storePath())) {
        continue;
      }
      first = first.compose(found -> found.isPresent() ? Future.succeededFuture(found)
          : store.pathInfos().get(StorePathDigest.of(ref)).map(stored -> stored.isPresent() ? Optional.<StorePath>empty() : Optional.of(ref)));
    }
    return first;
  }

  private static void answer(RoutingContext rc, Throwable e) {
    if (e instanceof UploadRefused refused) {
      JsonError.send(rc.response(), refused.status, refused.getMessage());
    } else {
      HttpErrors.answer(rc, e);
    }
  }

  /** The body is unread (the client may be waiting on 100-continue): answer and close. */
  private static void rejectUnread(RoutingContext rc, int status, String detail) {
    JsonError.sendAndClose(rc.request(), status, detail);
  }

  /** A refusal with its own status (the rule is the protocol's order, not a field's syntax). */
  private static final class UploadRefused extends RuntimeException {
    private final int status;

    UploadRefused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}
