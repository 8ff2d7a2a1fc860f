package dev.cairn.store;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.DirectoryNode;
import dev.cairn.castore.FileNode;
import dev.cairn.castore.IncompleteTreeException;
import dev.cairn.castore.NarRenderer;
import dev.cairn.castore.Node;
import dev.cairn.db.Database;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.validation.ValidationException;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * NAR size and sha256 of a castore node (CalculateNAR, and the check of a PathInfo's claims),
 * rendered once per content and then answered from the {@code nar_calculations} table, which
 * replicas sharing a database share. Renders on the NAR pool (rendering blocks on blob reads).
 */
public final class NarCalculationService {
  private final Database db;
  private final NarRenderer renderer;
  private final WorkerExecutor narPool;

  public NarCalculationService(Database db, NarRenderer renderer, WorkerExecutor narPool) {
    this.db = db;
    this.renderer = renderer;
    this.narPool = narPool;
  }

  /**
   * The summary of {@code root}'s NAR; its name does not matter (a NAR has no root name). The
   * node comes from a client: if castore lacks part of its tree, that is a
   * {@link ValidationException} on {@code node}.
   */
  public Future<NarSummary> calculate(Node root) {
    Optional<byte[]> key = cacheKey(root);
    if (key.isEmpty()) {
      return render(root);
    }
    return db.queryOne("SELECT nar_size, nar_sha256 FROM nar_calculations WHERE node_key = ?", (Object) key.get()).compose(cached -> {
      if (cached.isPresent()) {
        return Future.succeededFuture(new NarSummary(cached.get().getLong("nar_size"), new Hash(HashAlgorithm.SHA256, cached.get().bytes("nar_sha256"))));
      }
      return render(root).compose(summary -> db.update("INSERT INTO nar_calculations (node_key, nar_size, nar_sha256) VALUES (?, ?, ?)"
          + " ON CONFLICT (node_key) DO NOTHING", key.get(), summary.narSize(), summary.narSha256().bytes()).map(n -> summary));
    });
  }

  /**
   * Records what a NAR ingest measured: {@code root} is what the strict NAR parser (canonical NARs
   * only, so rendering {@code root} gives back the same bytes) built from a NAR of this size and
   * sha256. A later {@link #calculate} of that content (the check of an uploaded narinfo) then needs
   * no render: {@code nix copy --to} would otherwise read back, decompress and verify every chunk
   * it just wrote.
   */
  public Future<Void> remember(Node root, NarSummary measured) {
    Optional<byte[]> key = cacheKey(root);
    if (key.isEmpty()) {
      return Future.succeededFuture();
    }
    return db.update("INSERT INTO nar_calculations (node_key, nar_size, nar_sha256) VALUES (?, ?, ?) ON CONFLICT (node_key) DO NOTHING",
        key.get(), measured.narSize(), measured.narSha256().bytes()).mapEmpty();
  }

  private Future<NarSummary> render(Node root) {
    return narPool.executeBlocking(() -> {
      MessageDigest sha256 = HashAlgorithm.SHA256.newDigest();
      long[] size = new long[1];
      try {
        renderer.render(root, new OutputStream() {
          @Override
          public void write(int b) {
            sha256.update((byte) b);
            size[0]++;
          }

          @Override
          public void write(byte[] b, int off, int len) {
            sha256.update(b, off, len);
            size[0] += len;
          }
        });
      } catch (IncompleteTreeException e) {
        throw new ValidationException("node", "its tree is not complete in castore: " + e.getMessage());
      }
      return new NarSummary(size[0], new Hash(HashAlgorithm.SHA256, sha256.digest()));
    }, false);
  }

  /** Directory and file renderings depend only on content (names aside); symlinks are cheap to render. */
  private static Optional<byte[]> cacheKey(Node node) {
    byte kind;
    B3Digest digest;
    if (node instanceof DirectoryNode d) {
      kind = 'd';
      digest = d.digest();
    } else if (node instanceof FileNode f) {
      kind = f.executable() ? (byte) 'x' : (byte) 'f';
      digest = f.digest();
    } else {
      return Optional.empty();
    }
    byte[] key = new byte[33];
    key[0] = kind;
    System.arraycopy(digest.bytes(), 0, key, 1, 32);
    return Optional.of(key);
  }
}
