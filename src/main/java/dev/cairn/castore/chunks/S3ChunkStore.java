package dev.cairn.castore.chunks;

import dev.cairn.castore.B3Digest;
import dev.cairn.server.config.ConfigException;
import io.vertx.core.Context;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.SdkAdvancedAsyncClientOption;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Chunks as objects in an S3-compatible bucket, one object per chunk:
 *
 * <pre>
 * &lt;prefix&gt;/chunks/&lt;hex[0:2]&gt;/&lt;hex&gt;   the stored bytes of chunk &lt;hex&gt; (lower-case BLAKE3)
 * </pre>
 *
 * The two-character directory mirrors the file store's layout (so a bucket can be filled by
 * syncing a file store's chunks/ folder) and keeps keys in digest order: lower-case hex sorts
 * like the unsigned bytes it encodes and the shard is a prefix of the name, so S3's UTF-8 key
 * order (ListObjectsV2) is the {@link ChunkStore#list} order.
 *
 * <p>Atomicity comes from S3 itself: a PUT becomes visible only once its whole body arrived
 * and was stored; an upload cut short is discarded by the server. Replacing is a plain PUT.
 *
 * <p>Non-blocking and bounded: the AWS SDK v2 async client on its Netty HTTP client
 * (docs/DEVELOPING.md says why), at most {@link Options#maxRequests} requests in flight (more
 * wait in a {@link RequestLimiter} queue), retries on 5xx and throttling by the SDK's standard
 * retry mode. SDK futures complete on Netty threads; every returned future completes on the
 * caller's Vert.x context instead.
 */
public final class S3ChunkStore implements ChunkStore {
  /** The setting the location comes from, named in every start-up failure. */
  public static final String SETTING = "castore.blob_store";

  /**
   * @param maxRequests requests in flight at once (also the connection pool's size)
   * @param maxAttempts tries per request, the first included, on 5xx/throttling/IO errors
   * @param attemptTimeout one try of one request, connection and transfer included
   * @param ioThreads Netty event loop threads of the HTTP client
   */
  public record Options(int maxRequests, int maxAttempts, Duration attemptTimeout, int ioThreads) {
    public static final Options DEFAULT = new Options(32, 4, Duration.ofSeconds(60), 1);

    public Options {
      if (maxRequests < 1 || maxAttempts < 1 || ioThreads < 1) {
        throw new IllegalArgumentException(
            "maxRequests, maxAttempts and ioThreads must be at least 1, got "
                + maxRequests + ", " + maxAttempts + ", " + ioThreads);
      }
      if (attemptTimeout.isNegative() || attemptTimeout.isZero()) {
        throw new IllegalArgumentException("attemptTimeout must be positive, got " + attemptTimeout);
      }
    }

    public Options withMaxRequests(int max) {
      return new Options(max, maxAttempts, attemptTimeout, ioThreads);
    }
  }

  private static final String CHUNKS = "chunks/";
  /** ListObjectsV2 returns at most this many keys per call. */
  private static final int LIST_PAGE = 1000;

  private final Vertx vertx;
  private final WorkerExecutor blocking;
  private final EventLoopGroup io;
  private final S3AsyncClient client;
  private final S3Location location;
  private final RequestLimiter limiter;
  private final String chunksPrefix;

  private S3ChunkStore(
      Vertx vertx, WorkerExecutor blocking, EventLoopGroup io, S3AsyncClient client, S3Location location,
      Options options) {
    this.vertx = vertx;
    this.blocking = blocking;
    this.io = io;
    this.client = client;
    this.location = location;
    this.limiter = new RequestLimiter(options.maxRequests());
    this.chunksPrefix = location.keyPrefix() + CHUNKS;
  }

  /**
   * The standard AWS credential sources that need no network to find out whether they apply:
   * system properties, {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}(/{@code
   * AWS_SESSION_TOKEN}), the shared profile ({@code AWS_PROFILE}, ~/.aws), a container
   * endpoint when {@code AWS_CONTAINER_*} says so. (Web identity tokens would need the SDK's
   * sts module, which the jar does not ship.) Unlike the SDK's
   * default chain it never falls through to the EC2 instance metadata service, which would
   * send requests to 169.254.169.254 (and wait for timeouts) on any machine lacking
   * credentials; on EC2 give the process a profile or the variables.
   */
  public static AwsCredentialsProvider standardCredentials() {
    return AwsCredentialsProviderChain.builder()
        .reuseLastProviderEnabled(true)
        .credentialsProviders(
            SystemPropertyCredentialsProvider.create(),
            EnvironmentVariableCredentialsProvider.create(),
            ProfileCredentialsProvider.create(),
            ContainerCredentialsProvider.create())
        .build();
  }

  /** As {@link #open(Vertx, WorkerExecutor, S3Location, Options, AwsCredentialsProvider)} with {@link #standardCredentials()}. */
  public static Future<S3ChunkStore> open(Vertx vertx, WorkerExecutor blocking, S3Location location, Options options) {
    return open(vertx, blocking, location, options, standardCredentials());
  }

  /**
   * Builds the client (on {@code blocking}: the SDK reads profile files and system settings
   * while building) and checks with a HeadBucket that the bucket exists and the credentials
   * are accepted. Fails with a {@link ConfigException} naming {@link #SETTING}, whose message is
   * one line, e.g. {@code castore.blob_store: bucket "x" does not exist at http://…}.
   * {@code blocking} also runs {@link #close()}.
   */
  public static Future<S3ChunkStore> open(
      Vertx vertx, WorkerExecutor blocking, S3Location location, Options options, AwsCredentialsProvider credentials) {
    Context context = vertx.getOrCreateContext();
    EventLoopGroup io = eventLoops(options.ioThreads());
    return blocking
        .executeBlocking(() -> {
          S3AsyncClient client = client(location, options, credentials, io);
          try {
            // Here, on the blocking pool: the chain reads profile files the first time.
            credentials.resolveCredentials();
          } catch (SdkException e) {
            client.close();
            throw new ConfigException(SETTING, "no AWS credentials for " + location.where() + ": set"
                + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile (AWS_PROFILE, ~/.aws/credentials)");
          }
          return client;
        }, false)
        .recover(e -> shutdown(vertx, io).transform(v -> Future.failedFuture(e instanceof ConfigException ? e
            : new ConfigException(SETTING, "cannot create an S3 client for " + location + ": " + firstLine(e)))))
        .compose(client -> {
          S3ChunkStore store = new S3ChunkStore(vertx, blocking, io, client, location, options);
          return store.checkBucket(context)
              .map(store)
              .recover(e -> store.close().transform(closed -> Future.failedFuture(e)));
        });
  }

  /**
   * Our own event loops rather than the SDK's, which it shuts down with a 2 s quiet period.
   * The 4.1-style {@link NioEventLoopGroup} (deprecated, still in the Netty 4.2 that Vert.x 5
   * brings): the SDK is built against Netty 4.1 and maps only those group classes to channel
   * types; a 4.2 MultiThreadIoEventLoopGroup fails with "Unknown event loop group"
   * (aws-sdk-java-v2 issue 6757).
   */
  @SuppressWarnings("deprecation")
  private static EventLoopGroup eventLoops(int threads) {
    return new NioEventLoopGroup(threads, new DefaultThreadFactory("cairn-s3-io", true));
  }

  private static S3AsyncClient client(
      S3Location location, Options options, AwsCredentialsProvider credentials, EventLoopGroup io) {
    S3AsyncClientBuilder builder = S3AsyncClient.builder()
        .credentialsProvider(credentials)
        .region(region(location))
        .forcePathStyle(location.pathStyle())
        // S3-compatible servers (s3proxy, older MinIO, Ceph) refuse the SDK's newer default
        // of trailing CRC checksums on every PUT ("NotImplemented"); SigV4 already covers the
        // payload's SHA-256 over plain HTTP, and readers verify BLAKE3 anyway.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .httpClientBuilder(NettyNioAsyncHttpClient.builder()
            .maxConcurrency(options.maxRequests())
            .eventLoopGroup(SdkEventLoopGroup.create(io, NioSocketChannel::new)))
        .overrideConfiguration(o -> o
            // Standard mode: retries 5xx, throttling (503 SlowDown, 429) and I/O errors with
            // jittered exponential back-off.
            .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(options.maxAttempts()).build())
            .apiCallAttemptTimeout(options.attemptTimeout()))
        // Complete SDK futures on the Netty thread that finished the response instead of the
        // SDK's own 50-thread pool: completion only hops to a Vert.x context, it never blocks.
        .asyncConfiguration(a -> a.advancedOption(SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR, Runnable::run));
    location.endpoint().ifPresent(builder::endpointOverride);
    return builder.build();
  }

  private static Region region(S3Location location) {
    if (location.region().isPresent()) {
      return Region.of(location.region().get());
    }
    // The SDK's default region chain ends at the EC2 metadata service (see standardCredentials).
    try {
      return new AwsRegionProviderChain(new SystemSettingsRegionProvider(), new AwsProfileRegionProvider()).getRegion();
    } catch (SdkException e) {
      return Region.US_EAST_1;
    }
  }

  private Future<Void> checkBucket(Context context) {
    CompletableFuture<Void> head = limiter.submit(() -> client.headBucket(b -> b.bucket(location.bucket())))
        .thenApply(r -> null);
    return Future.fromCompletionStage(head, context).recover(e -> {
      Throwable cause = unwrap(e);
      String bucket = "bucket \"" + location.bucket() + "\"";
      String at = " at " + location.where();
      String message;
      if (cause instanceof AwsServiceException s && s.statusCode() == 404) {
        message = bucket + " does not exist" + at;
      } else if (cause instanceof AwsServiceException s && (s.statusCode() == 403 || s.statusCode() == 401)) {
        message = "credentials refused (" + s.statusCode() + ") for " + bucket + at;
      } else if (cause instanceof AwsServiceException s) {
        message = bucket + at + " answered " + s.statusCode() + " " + firstLine(s);
      } else {
        message = "cannot reach " + location.where() + " for " + bucket + ": " + firstLine(cause);
      }
      return Future.failedFuture(new ConfigException(SETTING, message));
    });
  }

  /** The object key of a chunk; see the class comment. */
  String key(B3Digest digest) {
    String hex = digest.hex();
    return chunksPrefix + hex.substring(0, 2) + "/" + hex;
  }

  @Override
  public Future<Boolean> has(B3Digest digest) {
    return call("HEAD", digest, () -> client.headObject(b -> b.bucket(location.bucket()).key(key(digest)))
        .thenApply(r -> true)
        .exceptionally(e -> {
          if (isNotFound(e)) {
            return false;
          }
          throw new CompletionException(unwrap(e));
        }));
  }

  @Override
  public Future<Optional<Buffer>> get(B3Digest digest) {
    return call("GET", digest, () -> client.getObject(
            b -> b.bucket(location.bucket()).key(key(digest)), AsyncResponseTransformer.toBytes())
        .thenApply(bytes -> Optional.of(Buffer.buffer(bytes.asByteArrayUnsafe())))
        .exceptionally(e -> {
          if (isNotFound(e)) {
            return Optional.empty();
          }
          throw new CompletionException(unwrap(e));
        }));
  }

  @Override
  public Future<Optional<Read>> read(B3Digest digest) {
    // No version: an object's ETag would need a HEAD per read; every S3 read is verified.
    return call("GET", digest, () -> client.getObject(
            b -> b.bucket(location.bucket()).key(key(digest)), AsyncResponseTransformer.toBytes())
        .thenApply(bytes -> Optional.of(new Read(bytes.asByteArrayUnsafe(), Optional.<Version>empty())))
        .exceptionally(e -> {
          if (isNotFound(e)) {
            return Optional.empty();
          }
          throw new CompletionException(unwrap(e));
        }));
  }

  @Override
  public Future<Optional<Buffer>> get(B3Digest digest, long offset, long length) {
    if (offset < 0 || length < 0) {
      return Future.failedFuture(new IllegalArgumentException(
          "offset and length must not be negative, got " + offset + ", " + length));
    }
    if (length == 0) {
      // An HTTP range cannot be empty; the answer only depends on existence.
      return has(digest).map(present -> present ? Optional.of(Buffer.buffer()) : Optional.empty());
    }
    long last = offset + length - 1 < offset ? Long.MAX_VALUE - 1 : offset + length - 1;
    String range = "bytes=" + offset + "-" + last;
    return call("GET " + range, digest, () -> client.getObject(
            b -> b.bucket(location.bucket()).key(key(digest)).range(range), AsyncResponseTransformer.toBytes())
        .thenApply((ResponseBytes<GetObjectResponse> bytes) -> Optional.of(Buffer.buffer(bytes.asByteArrayUnsafe())))
        .exceptionally(e -> {
          if (isNotFound(e)) {
            return Optional.empty();
          }
          // 416: the object exists (a missing key is 404 first) but starts before offset.
          if (unwrap(e) instanceof AwsServiceException s && s.statusCode() == 416) {
            return Optional.of(Buffer.buffer());
          }
          throw new CompletionException(unwrap(e));
        }));
  }

  @Override
  public Future<Void> put(B3Digest digest, Buffer bytes) {
    return put(digest, AsyncRequestBody.fromBytesUnsafe(wholeArray(bytes)));
  }

  /** The buffer's bytes: its own array when it wraps exactly one (the chunk writer's), else a copy. */
  private static byte[] wholeArray(Buffer bytes) {
    io.netty.buffer.ByteBuf b = ((io.vertx.core.internal.buffer.BufferInternal) bytes).getByteBuf();
    if (b.hasArray() && b.arrayOffset() == 0 && b.readerIndex() == 0 && b.readableBytes() == b.array().length) {
      return b.array();
    }
    return bytes.getBytes();
  }

  /** The upload itself, with the body as a stream (tests feed one that fails midway). */
  Future<Void> put(B3Digest digest, AsyncRequestBody body) {
    long length = body.contentLength().orElseThrow(() -> new IllegalArgumentException("body length unknown"));
    return call("PUT", digest, () -> client.putObject(
            b -> b.bucket(location.bucket()).key(key(digest)).contentLength(length)
                .contentType("application/octet-stream"),
            body)
        .thenApply(r -> (Void) null));
  }

  @Override
  public Future<Void> delete(B3Digest digest) {
    // S3 answers 204 whether or not the key existed: deleting a missing chunk succeeds.
    return call("DELETE", digest, () -> client.deleteObject(b -> b.bucket(location.bucket()).key(key(digest)))
        .thenApply(r -> (Void) null));
  }

  @Override
  public Future<List<Listed>> list(Optional<B3Digest> after, int limit) {
    if (limit < 1) {
      return Future.failedFuture(new IllegalArgumentException("limit must be at least 1, got " + limit));
    }
    Context context = vertx.getOrCreateContext();
    List<Listed> out = new ArrayList<>();
    ListObjectsV2Request.Builder first = ListObjectsV2Request.builder()
        .bucket(location.bucket())
        .prefix(chunksPrefix);
    after.ifPresent(d -> first.startAfter(key(d)));
    return Future.fromCompletionStage(listPages(first.build(), limit, out), context)
        .recover(e -> Future.failedFuture(failure("LIST", chunksPrefix, e)));
  }

  /** Pages until {@code limit} digests are collected or the listing ends. */
  private CompletableFuture<List<Listed>> listPages(ListObjectsV2Request request, int limit, List<Listed> out) {
    ListObjectsV2Request page = request.toBuilder().maxKeys(Math.min(LIST_PAGE, limit - out.size())).build();
    return limiter.submit(() -> client.listObjectsV2(page)).thenCompose((ListObjectsV2Response response) -> {
      for (S3Object object : response.contents()) {
        parseKey(object.key()).ifPresent(d -> out.add(
            new Listed(d, object.size(), object.lastModified() == null ? 0 : object.lastModified().toEpochMilli())));
      }
      if (out.size() >= limit || !Boolean.TRUE.equals(response.isTruncated())) {
        return CompletableFuture.completedFuture(out);
      }
      return listPages(request.toBuilder().continuationToken(response.nextContinuationToken()).build(), limit, out);
    });
  }

  /** The digest a chunk key names; empty for any other object under the prefix (left alone). */
  Optional<B3Digest> parseKey(String key) {
    if (!key.startsWith(chunksPrefix)) {
      return Optional.empty();
    }
    String rest = key.substring(chunksPrefix.length());
    if (rest.length() != 3 + 2 * B3Digest.LENGTH || rest.charAt(2) != '/' || !rest.startsWith(rest.substring(3, 5))) {
      return Optional.empty();
    }
    String hex = rest.substring(3);
    for (int i = 0; i < hex.length(); i++) {
      char c = hex.charAt(i);
      if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
        return Optional.empty();
      }
    }
    return Optional.of(B3Digest.fromHex(hex));
  }

  @Override
  public String describe() {
    return location.toString();
  }

  @Override
  public Future<Void> close() {
    // The SDK closes its connection pools synchronously: not on an event loop.
    Future<Void> closed = blocking.executeBlocking(() -> {
      client.close();
      return null;
    }, false);
    return closed.eventually(() -> shutdown(vertx, io));
  }

  /** Stops the event loops at once (no quiet period: nothing is in flight any more). */
  private static Future<Void> shutdown(Vertx vertx, EventLoopGroup io) {
    Promise<Void> done = Promise.promise();
    io.shutdownGracefully(0, 5, TimeUnit.SECONDS).addListener(f -> {
      if (f.isSuccess()) {
        done.complete();
      } else {
        done.fail(f.cause());
      }
    });
    return Future.fromCompletionStage(done.future().toCompletionStage(), vertx.getOrCreateContext());
  }

  /** One limited request for one chunk; failures name the operation and the key. */
  private <T> Future<T> call(String operation, B3Digest digest, Supplier<CompletableFuture<T>> request) {
    Context context = vertx.getOrCreateContext();
    return Future.fromCompletionStage(limiter.submit(request), context)
        .recover(e -> Future.failedFuture(failure(operation, key(digest), e)));
  }

  private IOException failure(String operation, String key, Throwable e) {
    Throwable cause = unwrap(e);
    String status = cause instanceof AwsServiceException s ? s.statusCode() + " " : "";
    return new IOException(
        "S3 " + operation + " s3://" + location.bucket() + "/" + key + " at " + location.where() + ": " + status
            + firstLine(cause),
        cause);
  }

  private static boolean isNotFound(Throwable e) {
    return unwrap(e) instanceof AwsServiceException s && s.statusCode() == 404;
  }

  private static Throwable unwrap(Throwable e) {
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private static String firstLine(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return e.getClass().getSimpleName();
    }
    return m.lines().findFirst().orElse(m).strip();
  }
}
