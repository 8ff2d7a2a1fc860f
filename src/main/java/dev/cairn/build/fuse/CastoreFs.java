package dev.cairn.build.fuse;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.BlobService;
import dev.cairn.castore.Directory;
import dev.cairn.castore.DirectoryNode;
import dev.cairn.castore.DirectoryService;
import dev.cairn.castore.FileNode;
import dev.cairn.castore.Node;
import dev.cairn.castore.PathComponent;
import dev.cairn.castore.SymlinkNode;
import dev.cairn.validation.ValidationException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import jnr.ffi.Pointer;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;

/**
 * A read-only filesystem over castore nodes (libfuse's path API through jnr-fuse). Paths are
 * resolved from the {@link FuseRoot} through directories fetched once and kept in a bounded
 * cache (content-addressed, so never stale). Files are 0444 (0555 when executable), directories
 * 0555, all owned by root, mtime 1 like a Nix store. Inodes come from content ({@link Inodes};
 * mounted with {@code use_ino}).
 *
 * <p>Reads: each open file loads whole chunks into a bounded window with read-ahead
 * ({@link OpenFile}, {@link ReadAheadBudget}), on libfuse's threads and the mount's loader pool; root entries are remembered ({@link CachedRoot}).
 * A missing or corrupt blob is EIO; a store that does not answer within {@code timeout} too.
 */
public final class CastoreFs extends FuseStubFS {
  private static final int MODE_DIR = FileStat.S_IFDIR | 0555;
  private static final int MODE_FILE = FileStat.S_IFREG | 0444;
  private static final int MODE_EXEC = FileStat.S_IFREG | 0555;
  private static final int MODE_LINK = FileStat.S_IFLNK | 0777;
  private static final int O_ACCMODE = 3;
  private static final int ROOT_LIST_LIMIT = 1_000_000;
  private static final int ROOT_CACHE_ENTRIES = 100_000;
  /** As long as the kernel keeps an entry (FuseMount's entry_timeout): no answer outlives what the kernel would serve anyway. */
  static final Duration ROOT_CACHE_TTL = Duration.ofSeconds(FuseMount.ENTRY_TIMEOUT_SECONDS);
  /** Chunk bytes all open files of a mount keep loaded together (see {@link OpenFile}). */
  static final long READ_AHEAD_LIMIT = 64L << 20;

  private final FuseRoot root;
  private final BlobService blobs;
  private final DirectoryService directories;
  private final Duration timeout;
  private final Map<B3Digest, Directory> directoryCache;
  private final Map<Long, OpenFile> open = new ConcurrentHashMap<>();
  private final AtomicLong nextHandle = new AtomicLong(1);
  private final ReadAheadBudget readAhead = new ReadAheadBudget(READ_AHEAD_LIMIT);
  private final ExecutorService loader = loaderPool();

  public CastoreFs(FuseRoot root, BlobService blobs, DirectoryService directories, Duration timeout, int cachedDirectories) {
    this.root = new CachedRoot(root, ROOT_CACHE_ENTRIES, ROOT_CACHE_TTL);
    this.blobs = blobs;
    this.directories = directories;
    this.timeout = timeout;
    this.directoryCache = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<B3Digest, Directory> eldest) {
        return size() > cachedDirectories;
      }
    });
  }

  /**
   * The threads that load chunks ahead of readers, one per core (loading is reading a chunk file
   * and hashing it); idle threads end, so an idle mount holds none. The queue is bounded by the
   * read-ahead budget: only chunks that fit in it are queued.
   */
  private static ExecutorService loaderPool() {
    int threads = Runtime.getRuntime().availableProcessors();
    AtomicLong n = new AtomicLong();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "cairn-fuse-load-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** The node at {@code path} ("/" is the root, answered as empty). */
  Optional<Node> resolve(String path) throws FuseErrno {
    if (path.equals("/")) {
      return Optional.empty();
    }
    String[] parts = path.substring(1).split("/", -1);
    Node node = Waiting.await(root.lookup(component(parts[0])), timeout, "lookup " + path)
        .orElseThrow(() -> notFound(path));
    for (int i = 1; i < parts.length; i++) {
      if (!(node instanceof DirectoryNode dir)) {
        throw new FuseErrno(ErrorCodes.ENOTDIR(), path);
      }
      node = child(directory(dir), component(parts[i])).orElseThrow(() -> notFound(path));
    }
    return Optional.of(node);
  }

  private static PathComponent component(String name) throws FuseErrno {
    try {
      return PathComponent.of(name);
    } catch (ValidationException e) {
      throw new FuseErrno(ErrorCodes.ENOENT(), name);
    }
  }

  private static FuseErrno notFound(String path) {
    return new FuseErrno(ErrorCodes.ENOENT(), path);
  }

  private static Optional<Node> child(Directory dir, PathComponent name) {
    Optional<Node> found = find(dir.directories(), name);
    if (found.isEmpty()) {
      found = find(dir.files(), name);
    }
    return found.isEmpty() ? find(dir.symlinks(), name) : found;
  }

  private static Optional<Node> find(List<? extends Node> sorted, PathComponent name) {
    int lo = 0;
    int hi = sorted.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = sorted.get(mid).name().compareTo(name);
      if (c == 0) {
        return Optional.of(sorted.get(mid));
      }
      if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return Optional.empty();
  }

  Directory directory(DirectoryNode node) throws FuseErrno {
    Directory cached = directoryCache.get(node.digest());
    if (cached != null) {
      return cached;
    }
    Directory dir = Waiting.await(directories.get(node.digest()), timeout, "directory " + node.digest())
        .orElseThrow(() -> new FuseErrno(ErrorCodes.EIO(), "directory " + node.digest() + " is missing"));
    directoryCache.put(node.digest(), dir);
    return dir;
  }

  private static int answer(FuseErrno e) {
    return -e.errno;
  }

  private static int mode(Node n) {
    if (n instanceof DirectoryNode) {
      return MODE_DIR;
    }
    if (n instanceof FileNode f) {
      return f.executable() ? MODE_EXEC : MODE_FILE;
    }
    return MODE_LINK;
  }

  @Override
  public int getattr(String path, FileStat stat) {
    try {
      Optional<Node> node = resolve(path);
      stat.st_uid.set(0);
      stat.st_gid.set(0);
      stat.st_mtim.tv_sec.set(1);
      stat.st_ctim.tv_sec.set(1);
      stat.st_atim.tv_sec.set(1);
      if (node.isEmpty()) {
        stat.st_mode.set(MODE_DIR);
        stat.st_ino.set(Inodes.ROOT);
        stat.st_nlink.set(2);
        return 0;
      }
      Node n = node.get();
      stat.st_ino.set(Inodes.of(n));
      stat.st_nlink.set(1);
      stat.st_mode.set(mode(n));
      if (n instanceof DirectoryNode d) {
        stat.st_nlink.set(2 + directory(d).directories().size());
        stat.st_size.set(directory(d).entryCount());
      } else if (n instanceof FileNode f) {
        stat.st_size.set(f.size());
        stat.st_blocks.set((f.size() + 511) / 512);
      } else {
        stat.st_size.set(((SymlinkNode) n).target().length());
      }
      return 0;
    } catch (FuseErrno e) {
      return answer(e);
    }
  }

  @Override
  public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
    try {
      Optional<Node> node = resolve(path);
      List<Node> entries;
      if (node.isEmpty()) {
        entries = Waiting.await(root.list(ROOT_LIST_LIMIT), timeout, "list /");
      } else if (node.get() instanceof DirectoryNode d) {
        entries = directory(d).nodes();
      } else {
        return -ErrorCodes.ENOTDIR();
      }
      filler.apply(buf, ".", null, 0);
      filler.apply(buf, "..", null, 0);
      // The entry's type and inode go with its name (d_type, d_ino): find and fts descend
      // without an lstat of every entry.
      FileStat stat = new FileStat(jnr.ffi.Runtime.getSystemRuntime());
      for (Node entry : entries) {
        stat.st_mode.set(mode(entry));
        stat.st_ino.set(Inodes.of(entry));
        if (filler.apply(buf, entry.name().toString(), stat, 0) != 0) {
          break;
        }
      }
      return 0;
    } catch (FuseErrno e) {
      return answer(e);
    }
  }

  @Override
  public int readlink(String path, Pointer buf, @size_t long size) {
    try {
      Optional<Node> node = resolve(path);
      if (node.isEmpty() || !(node.get() instanceof SymlinkNode link)) {
        return -ErrorCodes.EINVAL();
      }
      byte[] target = link.target().bytes();
      int n = (int) Math.min(target.length, size - 1);
      buf.put(0, target, 0, n);
      buf.putByte(n, (byte) 0);
      return 0;
    } catch (FuseErrno e) {
      return answer(e);
    }
  }

  @Override
  public int open(String path, FuseFileInfo fi) {
    try {
      Optional<Node> node = resolve(path);
      if (node.isEmpty() || node.get() instanceof DirectoryNode) {
        return -ErrorCodes.EISDIR();
      }
      if (!(node.get() instanceof FileNode file)) {
        return -ErrorCodes.EINVAL();
      }
      if ((fi.flags.get() & O_ACCMODE) != 0) {
        return -ErrorCodes.EROFS();
      }
      long handle = nextHandle.getAndIncrement();
      open.put(handle, new OpenFile(file, blobs, timeout, readAhead, loader));
      fi.fh.set(handle);
      return 0;
    } catch (FuseErrno e) {
      return answer(e);
    }
  }

  @Override
  public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
    OpenFile file = open.get(fi.fh.get());
    if (file == null) {
      return -ErrorCodes.EBADF();
    }
    try {
      return file.read(buf, (int) Math.min(size, Integer.MAX_VALUE), offset);
    } catch (FuseErrno e) {
      return answer(e);
    }
  }

  @Override
  public int release(String path, FuseFileInfo fi) {
    OpenFile file = open.remove(fi.fh.get());
    if (file != null) {
      file.close();
    }
    return 0;
  }

  @Override
  public int statfs(String path, Statvfs stbuf) {
    stbuf.f_bsize.set(4096);
    stbuf.f_frsize.set(4096);
    stbuf.f_namemax.set(PathComponent.MAX_LENGTH);
    return 0;
  }

  /** Files currently open (for tests and for a clean unmount). */
  int openFiles() {
    return open.size();
  }

  /** Chunk bytes open files keep loaded, at most about {@link #READ_AHEAD_LIMIT} (for tests). */
  long readAheadBytes() {
    return readAhead.used();
  }
}
