package dev.cairn.castore;

import dev.cairn.nix.NarWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * castore → NAR: the one renderer, byte-identical to {@code nix-store --dump} of the same tree
 * (entries in name order, as directories keep them). Blocking: run on a worker pool of its own;
 * it streams blobs a piece at a time, so no file is held in memory.
 *
 * <p>A rendering may start at any offset: whole entries that end before it are skipped by their
 * {@link NarLayout} size and the file it falls into is read from there on, so resuming a download
 * near the end of a large NAR reads no blob before the offset.
 *
 * <p>Reading overlaps writing: the readers of the next files are opened ahead
 * ({@link BlobReadAhead}) and each loads and verifies its next chunks while the current one is
 * written, within fixed byte bounds, so memory stays flat whatever the NAR's size.
 */
public final class NarRenderer {

  private final BlobService blobs;
  private final DirectoryService directories;

  public NarRenderer(BlobService blobs, DirectoryService directories) {
    this.blobs = blobs;
    this.directories = directories;
  }

  public void render(Node root, OutputStream out) throws IOException {
    render(root, out, 0);
  }

  /** Writes the NAR of {@code root} from byte {@code from} on (0: the whole archive). */
  public void render(Node root, OutputStream out, long from) throws IOException {
    NarLayout layout = Await.result(NarLayout.load(directories, root));
    List<BlobReadAhead.Planned> files = new ArrayList<>();
    plan(layout, root, NarLayout.HEADER, from, files);
    try (BlobReadAhead readAhead = new BlobReadAhead(blobs, files)) {
      Rendering r = new Rendering(layout, new FromOffset(out, from), from, readAhead);
      r.node(root, NarLayout.HEADER);
      r.writer.end();
    }
  }

  /**
   * The files {@link Rendering#node} will write contents of, in order, with the offset into each
   * it will start at: the same walk, skipping the same whole entries.
   */
  private static void plan(NarLayout layout, Node node, long start, long from, List<BlobReadAhead.Planned> files)
      throws IncompleteTreeException {
    if (node instanceof FileNode file) {
      files.add(new BlobReadAhead.Planned(file, skipped(file, start, from)));
    } else if (node instanceof DirectoryNode dirNode) {
      long position = start + NarLayout.DIRECTORY_START;
      for (Node child : layout.directory(dirNode).nodes()) {
        long size = layout.entrySize(child);
        if (position + size > from) {
          plan(layout, child, position + NarLayout.entryStart(child.name()), from, files);
        }
        position += size;
      }
    }
  }

  /** Bytes of {@code file}'s contents before {@code from}, for a file node starting at {@code start}. */
  private static long skipped(FileNode file, long start, long from) {
    return Math.max(0, Math.min(file.size(), from - (start + NarLayout.contentsOffset(file.executable()))));
  }

  private final class Rendering {
    private final NarLayout layout;
    private final FromOffset out;
    private final NarWriter writer;
    private final long from;
    private final BlobReadAhead readAhead;

    Rendering(NarLayout layout, FromOffset out, long from, BlobReadAhead readAhead) {
      this.layout = layout;
      this.out = out;
      this.writer = new NarWriter(out);
      this.from = from;
      this.readAhead = readAhead;
    }

    /** Renders {@code node}, whose encoding starts at byte {@code start} of the archive. */
    void node(Node node, long start) throws IOException {
      if (node instanceof SymlinkNode link) {
        writer.symlink(link.target().bytes());
      } else if (node instanceof FileNode file) {
        writer.fileStart(file.executable(), file.size());
        long skip = skipped(file, start, from);
        omit(skip);
        contents(file, skip);
        writer.fileEnd();
      } else {
        Directory dir = layout.directory((DirectoryNode) node);
        writer.directoryStart();
        long position = start + NarLayout.DIRECTORY_START;
        for (Node child : dir.nodes()) {
          long size = layout.entrySize(child);
          if (position + size <= from) {
            omit(size);
          } else {
            writer.entryStart(child.name().bytes());
            node(child, position + NarLayout.entryStart(child.name()));
            writer.entryEnd();
          }
          position += size;
        }
        writer.directoryEnd();
      }
    }

    private void omit(long n) {
      if (n > 0) {
        writer.omit(n);
        out.omit(n);
      }
    }

    private void contents(FileNode file, long offset) throws IOException {
      FileContents.drain(readAhead.take(file, offset), file, offset, file.name().toString(),
          (bytes, off, len) -> writer.fileContents(ByteBuffer.wrap(bytes, off, len)));
    }
  }

  /**
   * Drops the archive's first {@code from} bytes, whether they are written or {@link #omit omitted}
   * (accounted for without being produced); passes on the rest.
   */
  private static final class FromOffset extends OutputStream {
    private final OutputStream out;
    private long drop;

    FromOffset(OutputStream out, long from) {
      this.out = out;
      this.drop = from;
    }

    void omit(long n) {
      if (n > drop) {
        throw new IllegalStateException("omitting " + n + " bytes with only " + drop + " before the range");
      }
      drop -= n;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (drop > 0) {
        int dropped = (int) Math.min(drop, len);
        drop -= dropped;
        off += dropped;
        len -= dropped;
      }
      if (len > 0) {
        out.write(b, off, len);
      }
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }
  }
}
