package dev.cairn.castore.chunks;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.castore.B3Digest;
import dev.cairn.server.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The chunk store contract on a real S3 server (s3proxy), plus what only S3 has. */
class S3ChunkStoreTest extends ChunkStoreContract {
  private static S3Server server;
  private static Vertx vertx;
  private static WorkerExecutor blocking;
  private static String bucket;
  private static final AtomicInteger prefixes = new AtomicInteger();

  @BeforeAll
  static void startServer() throws Exception {
    server = S3Server.start();
    vertx = Vertx.vertx();
    blocking = vertx.createSharedWorkerExecutor("test-s3-blocking", 2);
    bucket = server.createBucket();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (blocking != null) {
      await(blocking.close());
    }
    if (vertx != null) {
      await(vertx.close());
    }
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected Vertx vertx() {
    return vertx;
  }

  /** Each test gets its own prefix in the shared bucket: prefixes must isolate stores. */
  @Override
  protected ChunkStore newStore() throws Exception {
    return open(server.location(bucket, "tests/t" + prefixes.incrementAndGet()), S3ChunkStore.Options.DEFAULT);
  }

  private static S3ChunkStore open(S3Location location, S3ChunkStore.Options options) throws Exception {
    return await(S3ChunkStore.open(vertx, blocking, location, options, S3Server.credentials()));
  }

  @Override
  protected Future<Void> putFailingMidway(ChunkStore store, B3Digest digest, Buffer bytes) {
    return ((S3ChunkStore) store).put(digest, new FailingBody(bytes.getBytes()))
        .andThen(r -> {
          try {
            server.removeAbandonedUploads();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /** Announces the whole length, sends the first half, then fails the stream. */
  private record FailingBody(byte[] bytes) implements AsyncRequestBody {
    @Override
    public Optional<Long> contentLength() {
      return Optional.of((long) bytes.length);
    }

    @Override
    public void subscribe(Subscriber<? super ByteBuffer> subscriber) {
      subscriber.onSubscribe(new Subscription() {
        private boolean sent;

        @Override
        public void request(long n) {
          if (sent) {
            return;
          }
          sent = true;
          subscriber.onNext(ByteBuffer.wrap(bytes, 0, bytes.length / 2));
          subscriber.onError(new IOException("the source failed midway"));
        }

        @Override
        public void cancel() {}
      });
    }
  }

  @Test
  void keysAreShardedUnderThePrefix() throws Exception {
    B3Digest d = digest();
    await(store.put(d, bytes(10)));
    List<String> keys = server.admin()
        .listObjectsV2(b -> b.bucket(bucket).prefix(((S3ChunkStore) store).key(d).replaceFirst("/chunks/.*", "/")))
        .join().contents().stream().map(S3Object::key).toList();
    String hex = d.hex();
    assertEquals(1, keys.size(), keys.toString());
    assertTrue(keys.get(0).matches("tests/t\\d+/chunks/" + hex.substring(0, 2) + "/" + hex), keys.get(0));
  }

  @Test
  void listIgnoresForeignObjectsUnderThePrefix() throws Exception {
    B3Digest d = digest();
    await(store.put(d, bytes(10)));
    String chunks = ((S3ChunkStore) store).key(d).replaceFirst("/chunks/.*", "/chunks/");
    for (String foreign : List.of("README", "zz/not-a-digest", d.hex().substring(0, 2) + "/" + d.hex().toUpperCase(),
        "00/" + d.hex())) {
      server.admin().putObject(b -> b.bucket(bucket).key(chunks + foreign),
          AsyncRequestBody.fromString("x")).join();
    }
    assertEquals(List.of(d), digests(await(store.list(Optional.empty(), 100))));
  }

  @Test
  void aListLongerThanOneS3PageFollowsTheContinuation() throws Exception {
    // ListObjectsV2 answers at most 1000 keys per request.
    List<B3Digest> ds = java.util.stream.Stream.generate(this::digest).limit(1100).sorted().toList();
    await(Future.all(ds.stream().map(d -> store.put(d, bytes(1))).toList()));
    assertEquals(ds, digests(await(store.list(Optional.empty(), 5000))));
    assertEquals(ds.subList(1001, 1100), digests(await(store.list(Optional.of(ds.get(1000)), 5000))));
  }

  @Test
  void storesWithDifferentPrefixesDoNotSeeEachOther() throws Exception {
    S3ChunkStore other = open(server.location(bucket, "tests/other" + prefixes.incrementAndGet()),
        S3ChunkStore.Options.DEFAULT);
    try {
      B3Digest d = digest();
      await(store.put(d, bytes(10)));
      assertFalse(await(other.has(d)));
      assertEquals(List.of(), await(other.list(Optional.empty(), 10)));
    } finally {
      await(other.close());
    }
  }

  @Test
  void aBucketRootStoreWorks() throws Exception {
    S3ChunkStore root = open(server.location(server.createBucket(), ""), S3ChunkStore.Options.DEFAULT);
    try {
      B3Digest d = digest();
      await(root.put(d, bytes(10)));
      assertEquals(List.of(d), digests(await(root.list(Optional.empty(), 10))));
      assertTrue(root.key(d).startsWith("chunks/"), root.key(d));
    } finally {
      await(root.close());
    }
  }

  @Test
  void oneRequestAtATimeStillServesEverything() throws Exception {
    S3ChunkStore narrow = open(server.location(bucket, "tests/narrow" + prefixes.incrementAndGet()),
        S3ChunkStore.Options.DEFAULT.withMaxRequests(1));
    try {
      List<B3Digest> ds = java.util.stream.Stream.generate(this::digest).limit(40).toList();
      await(Future.all(ds.stream().map(d -> narrow.put(d, bytes(5000))).toList()));
      assertEquals(40, await(narrow.list(Optional.empty(), 100)).size());
    } finally {
      await(narrow.close());
    }
  }

  private S3Location behind(FaultyS3Proxy proxy, String prefix) {
    return new S3Location(bucket, prefix + prefixes.incrementAndGet(), Optional.of(proxy.endpoint()),
        Optional.of("us-east-1"), true);
  }

  @Test
  void neverHasMoreRequestsInFlightThanTheBound() throws Exception {
    try (FaultyS3Proxy proxy = FaultyS3Proxy.start(vertx, server.endpoint())) {
      S3ChunkStore bounded = open(behind(proxy, "tests/bounded"), S3ChunkStore.Options.DEFAULT.withMaxRequests(3));
      try {
        List<B3Digest> ds = java.util.stream.Stream.generate(this::digest).limit(60).toList();
        await(Future.all(ds.stream().map(d -> bounded.put(d, bytes(20_000))).toList()));
        await(Future.all(ds.stream().map(bounded::get).toList()));
        assertTrue(proxy.maxInFlight() <= 3, "at most 3 at once, saw " + proxy.maxInFlight());
        assertTrue(proxy.maxInFlight() >= 2, "requests did overlap, saw " + proxy.maxInFlight());
      } finally {
        await(bounded.close());
      }
    }
  }

  @Test
  void retriesThrottlingAndServerErrors() throws Exception {
    try (FaultyS3Proxy proxy = FaultyS3Proxy.start(vertx, server.endpoint())) {
      S3ChunkStore retrying = open(behind(proxy, "tests/retry"), S3ChunkStore.Options.DEFAULT);
      try {
        List<B3Digest> ds = java.util.stream.Stream.generate(this::digest).limit(5).toList();
        List<Buffer> values = ds.stream().map(d -> bytes(1000)).toList();
        proxy.failFirstAttempts("PUT", 503, "SlowDown");
        for (int i = 0; i < ds.size(); i++) {
          await(retrying.put(ds.get(i), values.get(i)));
        }
        assertEquals(5, proxy.failures(), "each PUT was refused once");
        proxy.failFirstAttempts("GET", 500, "InternalError");
        for (int i = 0; i < ds.size(); i++) {
          assertEquals(values.get(i), await(retrying.get(ds.get(i))).orElseThrow());
        }
        assertEquals(10, proxy.failures(), "each GET failed once too");
      } finally {
        await(retrying.close());
      }
    }
  }

  @Test
  void aServerErrorBeyondTheAttemptsFailsNamingTheRequest() throws Exception {
    try (FaultyS3Proxy proxy = FaultyS3Proxy.start(vertx, server.endpoint())) {
      S3ChunkStore once = open(behind(proxy, "tests/once"),
          new S3ChunkStore.Options(4, 1, java.time.Duration.ofSeconds(10), 1));
      try {
        proxy.failFirstAttempts("GET", 500, "InternalError");
        B3Digest d = digest();
        Exception e = assertThrows(ExecutionException.class, () -> await(once.get(d)));
        String message = e.getCause().getMessage();
        assertTrue(message.startsWith("S3 GET s3://" + bucket + "/" + once.key(d) + " at " + proxy.endpoint() + ": 500 "),
            message);
      } finally {
        await(once.close());
      }
    }
  }

  @Test
  void openFailsOnAMissingBucketWithOneLineNamingTheSetting() {
    S3Location missing = server.location("no-such-bucket", "x");
    Exception e = assertThrows(ExecutionException.class,
        () -> open(missing, S3ChunkStore.Options.DEFAULT));
    assertInstanceOf(ConfigException.class, e.getCause());
    assertEquals("castore.blob_store: bucket \"no-such-bucket\" does not exist at " + server.endpoint(),
        e.getCause().getMessage());
  }

  @Test
  void openFailsOnRefusedCredentialsWithOneLineNamingTheSetting() {
    Exception e = assertThrows(ExecutionException.class, () -> await(S3ChunkStore.open(vertx, blocking,
        server.location(bucket, "x"), S3ChunkStore.Options.DEFAULT,
        StaticCredentialsProvider.create(AwsBasicCredentials.create("cairn", "wrong-secret")))));
    assertEquals("castore.blob_store: credentials refused (403) for bucket \"" + bucket + "\" at " + server.endpoint(),
        e.getCause().getMessage());
  }

  @Test
  void openFailsWhenNothingListensWithOneLineNamingTheSetting() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    URI nowhere = URI.create("http://127.0.0.1:" + port);
    S3Location location = new S3Location(bucket, "", Optional.of(nowhere), Optional.of("us-east-1"), true);
    Exception e = assertThrows(ExecutionException.class, () -> open(location,
        new S3ChunkStore.Options(4, 1, java.time.Duration.ofSeconds(5), 1)));
    String message = e.getCause().getMessage();
    assertTrue(message.startsWith("castore.blob_store: cannot reach " + nowhere + " for bucket \"" + bucket + "\": "),
        message);
    assertEquals(1, message.lines().count(), message);
  }

  @Test
  void standardCredentialsComeFromTheAwsSettings() throws Exception {
    // The chain's first source, the aws.* system properties, stands in for the environment
    // variables a test cannot set on its own JVM.
    System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", S3Server.SECRET_KEY);
    try {
      S3ChunkStore viaChain = await(S3ChunkStore.open(vertx, blocking,
          server.location(bucket, "tests/chain"), S3ChunkStore.Options.DEFAULT));
      try {
        B3Digest d = digest();
        await(viaChain.put(d, bytes(10)));
        assertTrue(await(viaChain.has(d)));
      } finally {
        await(viaChain.close());
      }
    } finally {
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
    }
  }

  @Test
  void describesItselfByItsLocation() {
    assertTrue(store.describe().startsWith("s3://" + bucket + "/tests/t"), store.describe());
    assertEquals(store.describe(), S3Location.parse(store.describe()).toString());
  }
}
