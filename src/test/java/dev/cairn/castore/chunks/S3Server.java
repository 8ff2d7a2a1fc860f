package dev.cairn.castore.chunks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * A real S3 server for tests: s3proxy (Maven Central, {@code org.gaul:s3proxy:2.6.0}, the
 * jar-with-dependencies that the build copies to {@code target/s3proxy/s3proxy.jar}) as its
 * own process on a free loopback port, storing into a temporary directory through jclouds'
 * filesystem backend (../shared/TESTING.md, "S3-compatible storage"). Start one per test
 * class; {@link #close()} stops the process and deletes the directory.
 *
 * <p>A missing jar or a server that does not come up fails the test; it never skips.
 */
public final class S3Server implements AutoCloseable {
  public static final String ACCESS_KEY = "cairn";
  public static final String SECRET_KEY = "cairnsecret";
  private static final String JAR_PROPERTY = "cairn.test.s3proxy";

  private static S3Server shared;

  private final Process process;
  private final Path dir;
  private final int port;
  private final S3AsyncClient admin;
  private int buckets;

  private S3Server(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
    this.admin = S3AsyncClient.builder()
        .endpointOverride(endpoint())
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(credentials())
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .build();
  }

  /** Where s3proxy's filesystem backend keeps a bucket's objects, one file per key (to corrupt one in a test). */
  public Path bucketDirectory(String bucket) {
    return dir.resolve("data").resolve(bucket);
  }

  /**
   * One server for the whole test JVM, started on first use, for suites parameterized over
   * backends (a start per case would cost seconds each). Give every user its own bucket. It
   * is stopped when the JVM exits: s3proxy is a child process and would outlive it otherwise.
   */
  public static synchronized S3Server shared() throws Exception {
    if (shared == null) {
      S3Server server = start();
      Runtime.getRuntime().addShutdownHook(new Thread(server::closeQuietly, "cairn-test-s3proxy-stop"));
      shared = server;
    }
    return shared;
  }

  public static S3Server start() throws Exception {
    Path jar = jar();
    Path dir = Files.createTempDirectory("cairn-s3proxy-");
    Files.createDirectories(dir.resolve("data"));
    // A port that was free a moment ago; s3proxy failing to bind shows in its log below.
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    Files.writeString(dir.resolve("s3proxy.conf"), String.join("\n",
        "s3proxy.endpoint=http://127.0.0.1:" + port,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + ACCESS_KEY,
        "s3proxy.credential=" + SECRET_KEY,
        "jclouds.provider=filesystem-nio2",
        "jclouds.identity=" + ACCESS_KEY,
        "jclouds.credential=" + SECRET_KEY,
        "jclouds.filesystem.basedir=" + dir.resolve("data"),
        ""));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process = new ProcessBuilder(
            java.toString(), "-Xmx256m", "-XX:+UseSerialGC", "-jar", jar.toString(),
            "--properties", dir.resolve("s3proxy.conf").toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("s3proxy.log").toFile())
        .start();
    S3Server server = new S3Server(process, dir, port);
    try {
      server.awaitListening();
    } catch (Exception e) {
      server.close();
      throw e;
    }
    return server;
  }

  private static Path jar() {
    Optional<Path> configured = Optional.ofNullable(System.getProperty(JAR_PROPERTY)).map(Path::of);
    Path jar = configured.orElse(Path.of("target", "s3proxy", "s3proxy.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("the S3 test server is missing: no s3proxy jar at " + jar.toAbsolutePath()
          + " (the Maven build copies org.gaul:s3proxy:2.6.0:jar-with-dependencies there in"
          + " process-test-resources; run the tests through mvn)");
    }
    return jar;
  }

  private void awaitListening() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("s3proxy exited with " + process.exitValue() + ":\n" + log());
      }
      // Its own log line, not just an open port: the port was only free a moment ago.
      if (log().contains("Started ServerConnector") && log().contains("127.0.0.1:" + port)) {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 200);
          return;
        } catch (IOException notYet) {
          // listening any moment now
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("s3proxy did not listen on 127.0.0.1:" + port + " within 60 s:\n" + log());
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("s3proxy.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public int port() {
    return port;
  }

  public static AwsCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
  }

  /** Creates a new, empty bucket and returns its name. */
  public synchronized String createBucket() {
    String name = "cairn-test-" + (++buckets);
    admin.createBucket(b -> b.bucket(name)).join();
    return name;
  }

  /** A location in {@code bucket} under {@code prefix}, path-style, at this server. */
  public S3Location location(String bucket, String prefix) {
    return new S3Location(bucket, prefix, Optional.of(endpoint()), Optional.of("us-east-1"), true);
  }

  /**
   * Deletes the files s3proxy leaves behind when an upload is cut short. Its filesystem
   * backend writes {@code <key>-<uuid>} and renames it to {@code <key>} once complete (so the
   * key itself never shows partial bytes, as on S3), but does not delete that file when the
   * body fails; the next LIST then trips over it and answers 500 (a TODO in s3proxy's
   * AbstractNio2BlobStore.putBlob). Real S3 discards an aborted PUT entirely; this puts the
   * test server back into that state. Returns how many it removed.
   */
  public int removeAbandonedUploads() throws IOException {
    Pattern abandoned = Pattern.compile(".*-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
      List<Path> leftovers = files
          .filter(p -> Files.isRegularFile(p) && abandoned.matcher(p.getFileName().toString()).matches())
          .toList();
      for (Path p : leftovers) {
        Files.delete(p);
      }
      return leftovers.size();
    }
  }

  /** The client the fixture creates buckets with, for tests that look behind a store's back. */
  public S3AsyncClient admin() {
    return admin;
  }

  private void closeQuietly() {
    try {
      close();
    } catch (Exception e) {
      System.err.println("stopping s3proxy: " + e);
    }
  }

  @Override
  public void close() throws Exception {
    admin.close();
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
