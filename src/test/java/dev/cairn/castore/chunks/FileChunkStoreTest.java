package dev.cairn.castore.chunks;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.castore.B3Digest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The chunk store contract on local files. Each store lives on a small tmpfs of its own, so a
 * put can really run out of space halfway through its write (the file store's "source fails
 * midway": the bytes come from memory, the disk is what fails).
 */
class FileChunkStoreTest extends ChunkStoreContract {
  private static Vertx vertx;
  private static WorkerExecutor io;
  private Path mount;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
    io = vertx.createSharedWorkerExecutor("test-chunk-io", 4);
  }

  @AfterAll
  static void stopVertx() throws Exception {
    await(io.close());
    await(vertx.close());
  }

  @Override
  protected Vertx vertx() {
    return vertx;
  }

  @Override
  protected ChunkStore newStore() throws Exception {
    mount = Files.createTempDirectory("cairn-chunks-tmpfs-");
    run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount.toString());
    return await(FileChunkStore.open(io, mount.resolve("store")));
  }

  @AfterEach
  void unmount() throws Exception {
    // JUnit runs this before the contract's closeStore; closing twice is harmless.
    await(store.close());
    run("umount", mount.toString());
    Files.delete(mount);
  }

  /** Fills the tmpfs until only half of {@code bytes} fits, puts, then frees the space again. */
  @Override
  protected Future<Void> putFailingMidway(ChunkStore store, B3Digest digest, Buffer bytes) {
    Path filler = mount.resolve("filler");
    try {
      long free = Files.getFileStore(mount).getUsableSpace();
      long fill = (free - bytes.length() / 2) / 4096 * 4096;
      try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer block = ByteBuffer.allocate(1 << 16);
        for (long written = 0; written < fill; ) {
          block.clear().limit((int) Math.min(block.capacity(), fill - written));
          written += ch.write(block);
        }
      }
      long left = Files.getFileStore(mount).getUsableSpace();
      assertTrue(left > 0 && left < bytes.length(), "the disk holds part of the bytes: " + left + " free");
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    return store.put(digest, bytes).andThen(r -> {
      try {
        Files.delete(filler);
        try (Stream<Path> leftovers = Files.list(mount.resolve("store").resolve("tmp"))) {
          assertEquals(List.of(), leftovers.toList(), "a failed put leaves no temporary file");
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed (the file store tests mount a"
          + " tmpfs and need root): " + out);
    }
  }
}
