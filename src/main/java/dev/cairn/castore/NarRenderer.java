package dev.cairn.castore;

import dev.cairn.db.Database;
import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.NarWriter;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * castore → NAR: the one renderer, byte-identical to {@code nix-store --dump} of the same tree
 * (entries in name order, as directories keep them). Blocking: run on a worker pool of its own;
 * it streams blobs a piece at a time, so no file is held in memory.
 */
public final class NarRenderer {
  private static final int PIECE = 1 << 17;

  private final BlobService blobs;
  private final DirectoryService directories;
  private final Database db;

  public NarRenderer(BlobService blobs, DirectoryService directories, Database db) {
    this.blobs = blobs;
    this.directories = directories;
    this.db = db;
  }

  /** A node's NAR size and sha256 (CalculateNAR). */
  public record NarSummary(long narSize, Hash narSha256) {}

  public void render(Node root, OutputStream out) throws IOException {
    Map<B3Digest, Directory> tree = new HashMap<>();
    if (root instanceof DirectoryNode dir) {
      for (Directory d : Await.result(directories.getRecursive(dir.digest()))) {
        tree.put(d.digest(), d);
      }
    }
    NarWriter writer = new NarWriter(out);
    node(root, writer, tree);
    writer.end();
  }

  private void node(Node node, NarWriter w, Map<B3Digest, Directory> tree) throws IOException {
    if (node instanceof SymlinkNode link) {
      w.symlink(link.target().bytes());
    } else if (node instanceof FileNode file) {
      w.fileStart(file.executable(), file.size());
      Optional<BlobReader> reader = Await.result(blobs.open(file.digest()));
      if (reader.isEmpty()) {
        throw new IOException("blob " + file.digest() + " of " + file.name() + " is missing from the blob store");
      }
      try {
        BlobReader r = reader.get();
        if (r.length() != file.size()) {
          throw new IOException("blob " + file.digest() + " has " + r.length() + " bytes, the file node says " + file.size());
        }
        while (r.remaining() > 0) {
          Buffer piece = Await.result(r.read(PIECE));
          w.fileContents(ByteBuffer.wrap(piece.getBytes()));
        }
      } finally {
        reader.get().close();
      }
      w.fileEnd();
    } else if (node instanceof DirectoryNode dirNode) {
      Directory dir = tree.get(dirNode.digest());
      if (dir == null) {
        throw new IOException("directory " + dirNode.digest() + " of " + dirNode.name() + " is missing from the directory store");
      }
      w.directoryStart();
      for (Node child : dir.nodes()) {
        w.entryStart(child.name().bytes());
        node(child, w, tree);
        w.entryEnd();
      }
      w.directoryEnd();
    }
  }

  /** NAR size and sha256 of a node, computed once per content and cached in the database. */
  public NarSummary calculate(Node root) throws IOException {
    byte[] key = cacheKey(root);
    if (key != null) {
      Optional<dev.cairn.db.Row> cached = Await.result(db.queryOne("SELECT nar_size, nar_sha256 FROM nar_calculations WHERE node_key = ?",
          (Object) key));
      if (cached.isPresent()) {
        return new NarSummary(cached.get().getLong("nar_size"), new Hash(HashAlgorithm.SHA256, cached.get().bytes("nar_sha256")));
      }
    }
    MessageDigest sha256 = HashAlgorithm.SHA256.newDigest();
    long[] size = new long[1];
    render(root, new OutputStream() {
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
    NarSummary summary = new NarSummary(size[0], new Hash(HashAlgorithm.SHA256, sha256.digest()));
    if (key != null) {
      Await.result(db.update("INSERT INTO nar_calculations (node_key, nar_size, nar_sha256) VALUES (?, ?, ?) ON CONFLICT (node_key) DO NOTHING",
          key, summary.narSize(), summary.narSha256().bytes()));
    }
    return summary;
  }

  /** Directory and file renderings depend only on content (names aside); symlinks are cheap to render. */
  private static byte[] cacheKey(Node node) {
    byte kind;
    B3Digest digest;
    if (node instanceof DirectoryNode d) {
      kind = 'd';
      digest = d.digest();
    } else if (node instanceof FileNode f) {
      kind = f.executable() ? (byte) 'x' : (byte) 'f';
      digest = f.digest();
    } else {
      return null;
    }
    byte[] key = new byte[33];
    key[0] = kind;
    System.arraycopy(digest.bytes(), 0, key, 1, 32);
    return key;
  }
}
