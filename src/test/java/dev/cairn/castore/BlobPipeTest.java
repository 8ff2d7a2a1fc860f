package dev.cairn.castore;

import static dev.cairn.castore.FsBlobServiceTest.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobPipeTest {
  static Vertx vertx;
  static WorkerExecutor workers;

  @TempDir Path root;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
    workers = vertx.createSharedWorkerExecutor("pipe-test", 2);
  }

  @AfterAll
  static void stopVertx() throws Exception {
    await(vertx.close());
  }

  /** A sink that holds up to {@code limit} pieces and drains slowly, on a timer. */
  static final class SlowSink implements WriteStream<Buffer> {
    final Buffer received = Buffer.buffer();
    final int limit;
    int queued;
    int maxQueued;
    Handler<Void> drain;

    SlowSink(int limit) {
      this.limit = limit;
    }

    @Override
    public synchronized Future<Void> write(Buffer data) {
      received.appendBuffer(data);
      queued++;
      maxQueued = Math.max(maxQueued, queued);
      if (queued == 1) {
        vertx.setTimer(1, t -> drainOne());
      }
      return Future.succeededFuture();
    }

    private void drainOne() {
      Handler<Void> h = null;
      synchronized (this) {
        queued--;
        if (queued > 0) {
          vertx.setTimer(1, t -> drainOne());
        }
        if (queued < limit && drain != null) {
          h = drain;
        }
      }
      if (h != null) {
        h.handle(null);
      }
    }

    @Override
    public synchronized boolean writeQueueFull() {
      return queued >= limit;
    }

    @Override
    public synchronized WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      this.drain = handler;
      return this;
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public Future<Void> end() {
      return Future.succeededFuture();
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      return this;
    }
  }

  @Test
  void pipeWaitsForTheSinkToDrain() throws Exception {
    FsBlobService blobs = await(FsBlobService.create(vertx, workers, root, FsBlobService.Options.DEFAULT));
    byte[] data = Arrays.copyOf(FsBlobServiceTest.BIG, 3 << 20);
    B3Digest d = FsBlobServiceTest.put(blobs, data, 1);
    SlowSink sink = new SlowSink(4);
    BlobReader reader = await(blobs.open(d)).orElseThrow();
    await(reader.pipeTo(sink, 64 * 1024));
    assertArrayEquals(data, sink.received.getBytes());
    assertTrue(sink.maxQueued <= 4, "queued " + sink.maxQueued);
  }

  @Test
  void manyTinyReadsDoNotGrowTheStack() throws Exception {
    FsBlobService blobs = await(FsBlobService.create(vertx, workers, root, FsBlobService.Options.DEFAULT));
    byte[] data = Arrays.copyOf(FsBlobServiceTest.BIG, 60_000);
    B3Digest d = FsBlobServiceTest.put(blobs, data, 1);
    SlowSink sink = new SlowSink(Integer.MAX_VALUE);
    await(await(blobs.open(d)).orElseThrow().pipeTo(sink, 1));
    assertArrayEquals(data, sink.received.getBytes());
  }

  @Test
  void pipeFailsOnACorruptedChunk() throws Exception {
    FsBlobService blobs = await(FsBlobService.create(vertx, workers, root, FsBlobService.Options.DEFAULT));
    B3Digest d = FsBlobServiceTest.put(blobs, Arrays.copyOf(FsBlobServiceTest.BIG, 4 << 20), 1);
    var chunks = await(blobs.stat(d)).orElseThrow().chunks();
    FsBlobServiceTest.flipByte(blobs.chunkPath(chunks.get(chunks.size() - 1).digest()), 100);
    SlowSink sink = new SlowSink(8);
    assertThrows(BlobCorruptedException.class,
        () -> await(await(blobs.open(d)).orElseThrow().pipeTo(sink, 65536)));
    assertTrue(sink.received.length() < 4 << 20);
  }
}
