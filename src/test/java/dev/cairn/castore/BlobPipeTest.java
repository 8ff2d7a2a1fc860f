package dev.cairn.castore;

import static dev.cairn.castore.BlobServiceContractTest.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BlobPipeTest {
  static Vertx vertx;
  static CastoreFixture store;

  @BeforeAll
  static void startVertx() throws Exception {
    store = CastoreFixture.create(dev.cairn.db.Dialect.SQLITE);
    vertx = store.vertx;
  }

  @AfterAll
  static void stopVertx() throws Exception {
    store.close();
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
    BlobService blobs = store.blobs;
    byte[] data = Arrays.copyOf(BlobServiceContractTest.BIG, 3 << 20);
    B3Digest d = BlobServiceContractTest.put(blobs, data, 1);
    SlowSink sink = new SlowSink(4);
    BlobReader reader = await(blobs.open(d)).orElseThrow();
    await(reader.pipeTo(sink, 64 * 1024));
    assertArrayEquals(data, sink.received.getBytes());
    assertTrue(sink.maxQueued <= 4, "queued " + sink.maxQueued);
  }

  @Test
  void manyTinyReadsDoNotGrowTheStack() throws Exception {
    BlobService blobs = store.blobs;
    byte[] data = Arrays.copyOf(BlobServiceContractTest.BIG, 60_000);
    B3Digest d = BlobServiceContractTest.put(blobs, data, 1);
    SlowSink sink = new SlowSink(Integer.MAX_VALUE);
    await(await(blobs.open(d)).orElseThrow().pipeTo(sink, 1));
    assertArrayEquals(data, sink.received.getBytes());
  }

  @Test
  void pipeFailsOnACorruptedChunk() throws Exception {
    BlobService blobs = store.blobs;
    B3Digest d = BlobServiceContractTest.put(blobs, Arrays.copyOf(BlobServiceContractTest.BIG, 4 << 20), 1);
    var chunks = await(blobs.stat(d)).orElseThrow().chunks();
    BlobServiceContractTest.flipStoredByte(store.chunks, chunks.get(chunks.size() - 1).digest(), 100);
    SlowSink sink = new SlowSink(8);
    assertThrows(BlobCorruptedException.class,
        () -> await(await(blobs.open(d)).orElseThrow().pipeTo(sink, 65536)));
    assertTrue(sink.received.length() < 4 << 20);
  }
}
