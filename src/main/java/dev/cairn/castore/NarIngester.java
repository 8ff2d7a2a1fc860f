package dev.cairn.castore;

import dev.cairn.nix.Hash;
import dev.cairn.nix.HashAlgorithm;
import dev.cairn.nix.NarParser;
import dev.cairn.nix.NarVisitor;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * NAR → castore, in one streaming pass: file contents go to the {@link BlobService} as they
 * are parsed, directories are built bottom-up and stored as one closure at the end, and the
 * NAR's sha256 and size are computed on the way. Blocking: run it on a worker pool of its own.
 */
public final class NarIngester {
  /**
   * A file's contents go to its blob writer in pieces of this size (the last one smaller), not as
   * the parser hands them over: each write costs the writer pool hops, so fewer, larger writes
   * cost less CPU. The bytes are copied out of the parser's buffer once, into the piece.
   */
  private static final int PIECE = 1 << 20;
  /** At most this many pieces of one file are in flight to the blob service before we wait. */
  private static final int MAX_PENDING_WRITES = 4;
  /**
   * Files whose blobs are still being finished (hashed, fsynced, renamed) while parsing goes on.
   * Overlapping them hides the fsync latency of small files; the bound keeps memory and open
   * files in check.
   */
  private static final int MAX_BLOBS_IN_FLIGHT = 16;

  /** Pieces given back once their write completed: a few MiB kept, whatever the NAR's size. */
  private final ArrayPool pieces = new ArrayPool(PIECE, MAX_PENDING_WRITES + 2);
  private final BlobService blobs;
  private final DirectoryService directories;
  private final DirectorySizeFormula formula;

  public NarIngester(BlobService blobs, DirectoryService directories, DirectorySizeFormula formula) {
    this.blobs = blobs;
    this.directories = directories;
    this.formula = formula;
  }

  /** The root node has no name ({@link PathComponent#ANONYMOUS}); give it one with {@link Node#withName}. */
  public record Result(Node root, Hash narSha256, long narSize) {}

  /** An ingest fed piece by piece (see {@link Session}). */
  public Session newSession() {
    return new Session();
  }

  public Result ingest(InputStream nar) throws IOException {
    Session session = new Session();
    byte[] buffer = new byte[1 << 17];
    int n;
    try {
      while ((n = nar.read(buffer)) >= 0) {
        session.write(buffer, 0, n);
      }
    } catch (IOException | RuntimeException e) {
      session.abort();
      throw e;
    }
    return session.finish();
  }

  /**
   * A local filesystem tree, by way of its NAR (the one dumper, the one ingester): the dumper
   * writes straight into the push parser, on the calling thread.
   */
  public Result ingest(Path tree) throws IOException {
    Session session = new Session();
    try (OutputStream out = new java.io.BufferedOutputStream(session, 1 << 17)) {
      dev.cairn.nix.NarWriter.dump(tree, out);
    } catch (IOException | RuntimeException e) {
      session.abort();
      throw e;
    }
    return session.finish();
  }

  /**
   * One ingest fed as an {@link OutputStream}: NAR bytes written to it are hashed and parsed,
   * and {@link #finish} stores the directories. For callers that receive a NAR piece by piece
   * (an HTTP upload) as well as for the two methods above.
   */
  public final class Session extends OutputStream {
    private final Builder builder = new Builder();
    private final MessageDigest sha256 = HashAlgorithm.SHA256.newDigest();
    private final NarParser parser = new NarParser(builder);

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      sha256.update(b, off, len);
      parser.feed(b, off, len);
    }

    /** Checks the NAR is complete, stores its directories and answers the root. */
    public Result finish() throws IOException {
      try {
        parser.finish();
      } catch (IOException | RuntimeException e) {
        builder.abort();
        throw e;
      }
      Node root = builder.root();
      if (!builder.closure.isEmpty()) {
        Await.result(directories.put(DirectoryClosure.of(builder.closure)));
      }
      return new Result(root, new Hash(HashAlgorithm.SHA256, sha256.digest()), parser.offset());
    }

    /** Drops the blobs in flight (the upload failed). */
    public void abort() {
      builder.abort();
    }
  }

  /** A piece handed to the blob writer; it goes back to the pool once the write completed. */
  private record Written(Future<Void> done, byte[] piece) {}

  /** A file whose blob is being finished; becomes a FileNode once its digest is known. */
  private record PendingFile(PathComponent name, Future<B3Digest> digest, long size, boolean executable) {
    FileNode resolve() throws IOException {
      return new FileNode(name, Await.result(digest), size, executable);
    }
  }

  private final class Builder implements NarVisitor {
    /** Children of the open directories: Nodes, or PendingFiles not resolved yet. */
    private final ArrayDeque<List<Object>> open = new ArrayDeque<>();
    private final ArrayDeque<PendingFile> inFlight = new ArrayDeque<>();
    private Object rootEntry;
    private final ArrayDeque<PathComponent> names = new ArrayDeque<>();
    private final List<Directory> closure = new ArrayList<>();
    private final ArrayDeque<Written> pending = new ArrayDeque<>();
    private BlobWriter writer;
    private boolean executable;
    private long size;
    /** The piece being filled for the current file, or null; {@code pieceFill} bytes of it are, up to {@code pieceLimit}. */
    private byte[] piece;
    private int pieceFill;
    private int pieceLimit;
    /** Bytes of the current file handed to the writer or put in {@code piece} so far. */
    private long taken;
    private Node root;

    private PathComponent currentName() {
      return names.isEmpty() ? PathComponent.ANONYMOUS : names.peek();
    }

    private void add(Object entry) {
      if (open.isEmpty()) {
        rootEntry = entry;
      } else {
        open.peek().add(entry);
      }
    }

    private Node resolve(Object entry) throws IOException {
      return entry instanceof PendingFile p ? p.resolve() : (Node) entry;
    }

    @Override
    public void directoryStart() {
      open.push(new ArrayList<>());
    }

    @Override
    public void entryStart(byte[] name) {
      names.push(PathComponent.of(name));
    }

    @Override
    public void entryEnd() {
      names.pop();
    }

    @Override
    public void directoryEnd() throws IOException {
      List<Node> children = new ArrayList<>();
      for (Object entry : open.pop()) {
        children.add(resolve(entry));
      }
      Directory d = Directory.of(children);
      closure.add(d);
      add(DirectoryNode.of(currentName(), d, formula));
    }

    @Override
    public void fileStart(boolean executable, long size) {
      this.executable = executable;
      this.size = size;
      this.writer = blobs.put();
      this.taken = 0;
    }

    @Override
    public void fileContents(ByteBuffer chunk) throws IOException {
      while (chunk.hasRemaining()) {
        if (piece == null) {
          // Sized by what the file has left (the parser holds it to its declared size).
          long left = Math.max(size - taken, chunk.remaining());
          piece = pieces.take();
          pieceLimit = (int) Math.min(left, PIECE);
          pieceFill = 0;
        }
        int n = Math.min(pieceLimit - pieceFill, chunk.remaining());
        chunk.get(piece, pieceFill, n);
        pieceFill += n;
        taken += n;
        if (pieceFill == pieceLimit) {
          flushPiece();
        }
      }
    }

    /** Hands the piece to the writer, then waits while too many are in flight. */
    private void flushPiece() throws IOException {
      if (piece == null) {
        return;
      }
      // Wrapped, not copied again (Buffer.buffer(byte[]) copies); the writer owns it from here.
      pending.add(new Written(writer.write(Buffers.wrap(piece, 0, pieceFill)), piece));
      piece = null;
      pieceFill = 0;
      while (pending.size() > MAX_PENDING_WRITES) {
        awaitOldestWrite();
      }
    }

    /** Waits for the oldest write; its piece is the writer's no more (hashed and copied into the window). */
    private void awaitOldestWrite() throws IOException {
      Written w = pending.poll();
      Await.result(w.done());
      pieces.give(w.piece());
    }

    @Override
    public void fileEnd() throws IOException {
      flushPiece();
      while (!pending.isEmpty()) {
        awaitOldestWrite();
      }
      PendingFile file = new PendingFile(currentName(), writer.close(), size, executable);
      writer = null;
      inFlight.add(file);
      while (inFlight.size() > MAX_BLOBS_IN_FLIGHT) {
        Await.result(inFlight.poll().digest());
      }
      add(file);
    }

    @Override
    public void symlink(byte[] target) {
      add(new SymlinkNode(currentName(), SymlinkTarget.of(target)));
    }

    void abort() {
      piece = null;
      if (writer != null) {
        writer.abort();
      }
    }

    Node root() throws IOException {
      if (root == null) {
        root = resolve(rootEntry);
      }
      return root;
    }
  }
}
