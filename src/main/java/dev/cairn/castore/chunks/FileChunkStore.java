package dev.cairn.castore.chunks;

import dev.cairn.castore.B3Digest;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chunks as files under one root, the embedded default:
 *
 * <pre>
 * chunks/ab/&lt;hex&gt;   one file per chunk, named by its BLAKE3 digest
 * tmp/               puts in progress; emptied at startup
 * </pre>
 *
 * A put writes under tmp/, fsyncs, renames into place and fsyncs the directory, so a crash
 * leaves either nothing or the complete file under the digest. All I/O runs on the given
 * bounded pool.
 *
 * <p>Several processes may open one root at once (the server and {@code cairn gc}, or two
 * servers on one machine): each holds a shared lock on {@code lock} while open, and tmp/ is
 * emptied only by an opener that can take that lock exclusively, i.e. when no other process
 * has puts in flight there.
 */
public final class FileChunkStore implements ChunkStore {
  private final WorkerExecutor io;
  private final Path root;
  private final Path chunks;
  private final Path tmp;
  /** Temporary names of this store's puts: unique per opener, then a counter. */
  private final String tempPrefix = UUID.randomUUID() + "-";
  private final AtomicLong tempCounter = new AtomicLong();
  private FileChannel lockFile;
  /** Held while open (released when {@code lockFile} closes); null when this JVM held it already. */
  @SuppressWarnings("unused")
  private FileLock inUse;

  private FileChunkStore(WorkerExecutor io, Path root) {
    this.io = io;
    this.root = root;
    this.chunks = root.resolve("chunks");
    this.tmp = root.resolve("tmp");
  }

  /** Creates the layout under {@code root} if needed and removes leftovers of interrupted puts. */
  public static Future<FileChunkStore> open(WorkerExecutor io, Path root) {
    FileChunkStore store = new FileChunkStore(io, root);
    return store.blocking(() -> {
      store.prepare();
      return store;
    });
  }

  private void prepare() throws IOException {
    Files.createDirectories(chunks);
    for (int i = 0; i < 256; i++) {
      Files.createDirectories(chunks.resolve(String.format("%02x", i)));
    }
    fsyncDirectory(chunks);
    Files.createDirectories(tmp);
    lockFile = FileChannel.open(root.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock alone = tryLock(false);
    if (alone != null) {
      try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmp)) {
        for (Path p : leftovers) {
          Files.deleteIfExists(p);
        }
      } finally {
        alone.release();
      }
    }
    try {
      // Waits while another opener empties tmp/.
      inUse = lockFile.lock(0, Long.MAX_VALUE, true);
    } catch (OverlappingFileLockException sameJvm) {
      // Another store of this process holds it already (tests); that one keeps tmp/ safe.
    }
    fsyncDirectory(root);
  }

  /** The lock, or null when another process (or another store in this JVM) holds it. */
  private FileLock tryLock(boolean shared) throws IOException {
    try {
      return lockFile.tryLock(0, Long.MAX_VALUE, shared);
    } catch (OverlappingFileLockException sameJvm) {
      return null;
    }
  }

  public Path root() {
    return root;
  }

  @Override
  public Future<Boolean> has(B3Digest digest) {
    return blocking(() -> Files.exists(path(digest)));
  }

  @Override
  public Future<Optional<Buffer>> get(B3Digest digest) {
    return blocking(() -> {
      try {
        return Optional.of(Buffer.buffer(Files.readAllBytes(path(digest))));
      } catch (NoSuchFileException e) {
        return Optional.empty();
      }
    });
  }

  /**
   * Reads the file between two looks at its attributes: when both agree, no write touched it
   * meanwhile and the bytes are that version's; otherwise they come without a version.
   */
  @Override
  public Future<Optional<Read>> read(B3Digest digest, ChunkBuffers buffers) {
    return blocking(() -> readBlocking(digest, buffers));
  }

  /** {@link #read} on the calling thread: the file is read right here, no pool hop. */
  @Override
  public Optional<Read> readBlocking(B3Digest digest) throws IOException {
    return readBlocking(digest, ChunkBuffers.NONE);
  }

  private Optional<Read> readBlocking(B3Digest digest, ChunkBuffers buffers) throws IOException {
    Path file = path(digest);
    byte[] bytes = null;
    try {
      Version before = version(file);
      int length;
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        long size = ch.size();
        if (size > Integer.MAX_VALUE - 8) {
          throw new IOException("chunk file " + file + " has " + size + " bytes");
        }
        bytes = buffers.take((int) size);
        ByteBuffer into = ByteBuffer.wrap(bytes, 0, (int) size);
        while (into.hasRemaining() && ch.read(into) >= 0) {
          // keep reading
        }
        length = into.position();
      }
      Version after = version(file);
      return Optional.of(new Read(bytes, length, before.equals(after) && after.size() == length ? Optional.of(after) : Optional.empty()));
    } catch (IOException | RuntimeException e) {
      if (bytes != null) {
        buffers.give(bytes); // nothing saw them
      }
      if (e instanceof NoSuchFileException) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * The file's version from one {@code stat}: read as {@link BasicFileAttributes} (a typed view;
   * the {@code "unix:…"} form that would add the status-change time parses its attribute list on
   * every call, which cost as much as reading a trusted chunk). Any write changes the modification
   * time, a replacement the file key; only a deliberate reset of the modification time to the
   * nanosecond would not, and that is for the scrub to find.
   */
  private static Version version(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    return new Version(a.fileKey(), a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
  }

  @Override
  public Future<Optional<Buffer>> get(B3Digest digest, long offset, long length) {
    if (offset < 0 || length < 0) {
      return Future.failedFuture(new IllegalArgumentException("negative range " + offset + "+" + length));
    }
    return blocking(() -> {
      try (FileChannel ch = FileChannel.open(path(digest), StandardOpenOption.READ)) {
        long size = ch.size();
        int n = (int) Math.max(0, Math.min(length, size - Math.min(offset, size)));
        ByteBuffer into = ByteBuffer.allocate(n);
        while (into.hasRemaining() && ch.read(into, offset + into.position()) >= 0) {
          // keep reading
        }
        return Optional.of(Buffer.buffer(into.array()));
      } catch (NoSuchFileException e) {
        return Optional.empty();
      }
    });
  }

  @Override
  public Future<Void> put(B3Digest digest, Buffer bytes) {
    return blocking(() -> {
      write(digest, bytes);
      return null;
    });
  }

  /** One task: the existence check and the durable write, no hop between them. */
  @Override
  public Future<Void> putIfAbsent(B3Digest digest, Buffer bytes) {
    return blocking(() -> {
      if (!Files.exists(path(digest))) {
        write(digest, bytes);
      }
      return null;
    });
  }

  /**
   * Writes the chunk under tmp/, fsyncs it, renames it into place and fsyncs the directory. The
   * temporary name is this store's prefix and a counter (no random UUID per chunk).
   */
  private void write(B3Digest digest, Buffer bytes) throws IOException {
    Path temp = tmp.resolve(tempPrefix + tempCounter.incrementAndGet() + ".chunk");
    Path target = path(digest);
    try {
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer b = ((io.vertx.core.internal.buffer.BufferInternal) bytes).getByteBuf().nioBuffer();
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    fsyncDirectory(target.getParent());
  }

  @Override
  public Future<Void> delete(B3Digest digest) {
    return blocking(() -> {
      Files.deleteIfExists(path(digest));
      return null;
    });
  }

  @Override
  public Future<List<Listed>> list(Optional<B3Digest> after, int limit) {
    return blocking(() -> {
      List<Listed> page = new ArrayList<>();
      String afterHex = after.map(B3Digest::hex).orElse("");
      int firstDir = after.map(d -> Byte.toUnsignedInt(d.bytes()[0])).orElse(0);
      for (int i = firstDir; i < 256 && page.size() < limit; i++) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(chunks.resolve(String.format("%02x", i)))) {
          for (Path p : dir) {
            String name = p.getFileName().toString();
            if (name.length() == 64 && name.compareTo(afterHex) > 0) {
              names.add(name);
            }
          }
        }
        names.sort(null);
        for (String name : names) {
          if (page.size() == limit) {
            break;
          }
          B3Digest digest;
          try {
            digest = B3Digest.fromHex(name);
          } catch (IllegalArgumentException notOurs) {
            continue;
          }
          try {
            BasicFileAttributes attrs = Files.readAttributes(path(digest), BasicFileAttributes.class);
            page.add(new Listed(digest, attrs.size(), attrs.lastModifiedTime().toMillis()));
          } catch (NoSuchFileException deletedMeanwhile) {
            // gone between listing and reading its attributes
          }
        }
      }
      return page;
    });
  }

  @Override
  public String describe() {
    return root.toUri().toString();
  }

  @Override
  public Future<Void> close() {
    return blocking(() -> {
      if (lockFile != null) {
        lockFile.close(); // releases the lock
      }
      return null;
    });
  }

  private Path path(B3Digest digest) {
    String hex = digest.hex();
    return chunks.resolve(hex.substring(0, 2)).resolve(hex);
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return io.executeBlocking(work, false);
  }

  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
