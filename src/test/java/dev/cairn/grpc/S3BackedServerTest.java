package dev.cairn.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.castore.chunks.S3Server;
import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.server.ServerProcess;
import dev.cairn.server.TestServer;
import dev.cairn.users.Role;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cairn with its chunks in S3 (s3proxy, a real S3 server process), end to end: the independent
 * Python gRPC client suite, two server processes sharing one PostgreSQL database and one bucket,
 * and the one-line start-up failures an operator sees.
 */
class S3BackedServerTest {
  private static S3Server s3;

  @TempDir
  Path tmp;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3Server.start();
  }

  @AfterAll
  static void stopS3() throws Exception {
    if (s3 != null) {
      s3.close();
    }
  }

  private static String location(String bucket, String prefix) {
    return s3.location(bucket, prefix).toString();
  }

  @ParameterizedTest
  @MethodSource("dev.cairn.db.TestDatabase#dialects")
  void independentPythonClientPassesAgainstAnS3BackedServer(Dialect d) throws Exception {
    Path gen = PythonStubs.generate(tmp);
    // The standard credential chain's first source; an in-process server cannot be given
    // environment variables of its own.
    System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", S3Server.SECRET_KEY);
    String bucket = s3.createBucket();
    try (TestServer server = TestServer.start(d, Map.of("CAIRN_CASTORE_BLOB_STORE", location(bucket, "cairn"),
        "CAIRN_CASTORE_MAX_DIRECTORIES_PER_PUT", "50"))) {
      String token = server.createUser("writer");
      String revoked = server.createUser("gone");
      server.revokeUser("gone");
      String reader = server.createUser("looker", Role.READER);
      // The chunk a check corrupts is an object file of s3proxy's filesystem backend.
      String out = run(tmp.resolve("client.log"), "/usr/bin/python3", "src/test/python/castore_client.py",
          "127.0.0.1:" + server.port(), gen.toString(), Files.createDirectories(tmp.resolve("work")).toString(), token, revoked, reader,
          s3.bucketDirectory(bucket).resolve("cairn").toString(), "50");
      assertTrue(out.contains("17 passed, 0 failed"), out);
      assertTrue(s3.admin().listObjectsV2(b -> b.bucket(bucket).prefix("cairn/chunks/")).join().keyCount() > 0,
          "the chunks went to the bucket");
    } finally {
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
    }
  }

  /** SQLite is one process's file; sharing between replicas is what PostgreSQL is for. */
  @Test
  void twoServersSharingADatabaseAndABucketReadEachOthersBlobs() throws Exception {
    Path gen = PythonStubs.generate(tmp);
    Vertx vertx = Vertx.vertx();
    try (TestDatabase db = TestDatabase.create(vertx, Dialect.POSTGRESQL)) {
      Map<String, String> env = Map.of(
          "CAIRN_DATABASE_URL", db.url(),
          "CAIRN_CASTORE_BLOB_STORE", location(s3.createBucket(), "shared"),
          "AWS_ACCESS_KEY_ID", S3Server.ACCESS_KEY,
          "AWS_SECRET_ACCESS_KEY", S3Server.SECRET_KEY);
      Server a = Server.start(tmp.resolve("a"), env);
      Server b = Server.start(tmp.resolve("b"), env);
      Map<String, String> cli = new java.util.HashMap<>(env);
      cli.put("CAIRN_DATA_DIR", tmp.resolve("a").toString());
      token = ServerProcess.createUser(cli, "uploader");
      try {
        // 5 MiB: several chunks, written through A, read and verified through B.
        String size = String.valueOf(5 << 20);
        assertEquals("absent", lastLine(python(gen, "stat", b.port, size)));
        String written = lastLine(python(gen, "put", a.port, size));
        assertEquals(lastLine(python(gen, "digest", a.port, size)), written);
        assertEquals("present", lastLine(python(gen, "stat", b.port, size)));
        assertEquals("read " + size + " OK", lastLine(python(gen, "slowread", b.port, size)));
      } finally {
        a.stop();
        b.stop();
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  @Test
  void aMissingBucketStopsTheServerWithOneLineNamingTheSetting() throws Exception {
    Server.Exit exit = Server.runToExit(tmp.resolve("data"), Map.of(
        "CAIRN_CASTORE_BLOB_STORE", location("no-such-bucket", ""),
        "AWS_ACCESS_KEY_ID", S3Server.ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY", S3Server.SECRET_KEY));
    assertEquals(2, exit.code(), exit.output());
    assertEquals("cairn: configuration: castore.blob_store: bucket \"no-such-bucket\" does not exist at "
        + s3.endpoint(), exit.output().strip());
  }

  @Test
  void refusedCredentialsStopTheServerWithOneLineNamingTheSetting() throws Exception {
    String bucket = s3.createBucket();
    Server.Exit exit = Server.runToExit(tmp.resolve("data"), Map.of(
        "CAIRN_CASTORE_BLOB_STORE", location(bucket, ""),
        "AWS_ACCESS_KEY_ID", S3Server.ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY", "not-the-secret"));
    assertEquals(2, exit.code(), exit.output());
    assertEquals("cairn: configuration: castore.blob_store: credentials refused (403) for bucket \"" + bucket
        + "\" at " + s3.endpoint(), exit.output().strip());
  }

  @Test
  void noCredentialsAnywhereStopTheServerWithOneLineNamingTheSetting() throws Exception {
    // No AWS_* variables (Server removes them) and no profile files.
    Server.Exit exit = Server.runToExit(tmp.resolve("data"), Map.of(
        "CAIRN_CASTORE_BLOB_STORE", location(s3.createBucket(), ""),
        "AWS_SHARED_CREDENTIALS_FILE", tmp.resolve("none/credentials").toString(),
        "AWS_CONFIG_FILE", tmp.resolve("none/config").toString()));
    assertEquals(2, exit.code(), exit.output());
    assertEquals("cairn: configuration: castore.blob_store: no AWS credentials for " + s3.endpoint()
        + ": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile (AWS_PROFILE, ~/.aws/credentials)",
        exit.output().strip());
  }

  @Test
  void aMalformedLocationStopsTheServerWithOneLineNamingThePart() throws Exception {
    Server.Exit exit = Server.runToExit(tmp.resolve("data"), Map.of(
        "CAIRN_CASTORE_BLOB_STORE", "s3://Bad_Bucket/x?endpoint=" + s3.endpoint()));
    assertEquals(2, exit.code(), exit.output());
    assertTrue(exit.output().strip().startsWith("cairn: configuration: castore.blob_store: bucket: \"Bad_Bucket\" must be"),
        exit.output());
    assertEquals(1, exit.output().strip().lines().count(), exit.output());
  }

  /** A Cairn server as its own process, configured by environment variables like an operator's. */
  private record Server(Process process, int port, Path log) {
    record Exit(int code, String output) {}

    private static ProcessBuilder builder(Path data, Map<String, String> env, int port) throws Exception {
      Files.createDirectories(data);
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
          "dev.cairn.server.Main", "serve");
      pb.environment().keySet().removeIf(k -> k.startsWith("CAIRN_") || k.startsWith("AWS_"));
      pb.environment().put("CAIRN_DATA_DIR", data.toString());
      pb.environment().put("CAIRN_HTTP_PORT", String.valueOf(port));
      pb.environment().put("CAIRN_HTTP_REQUEST_LOG", "false");
      pb.environment().putAll(env);
      return pb.redirectErrorStream(true).redirectOutput(data.resolve("server.log").toFile());
    }

    static Server start(Path data, Map<String, String> env) throws Exception {
      int port = freePort();
      Process p = builder(data, env, port).start();
      Path log = data.resolve("server.log");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline && p.isAlive()) {
        try (Socket s = new Socket("127.0.0.1", port)) {
          return new Server(p, port, log);
        } catch (java.io.IOException notYet) {
          Thread.sleep(200);
        }
      }
      p.destroyForcibly();
      throw new AssertionError("server did not start: " + Files.readString(log));
    }

    static Exit runToExit(Path data, Map<String, String> env) throws Exception {
      Process p = builder(data, env, freePort()).start();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the server gave up at start");
      return new Exit(p.exitValue(), Files.readString(data.resolve("server.log")));
    }

    void stop() throws Exception {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private String token;

  private Process python(Path gen, String cmd, int port, String size) throws Exception {
    List<String> args = new ArrayList<>(List.of("/usr/bin/python3", "src/test/python/crash_upload.py", cmd,
        "127.0.0.1:" + port, gen.toString(), "11", size, token));
    return new ProcessBuilder(args)
        .redirectError(ProcessBuilder.Redirect.appendTo(tmp.resolve("client.log").toFile())).start();
  }

  private static String lastLine(Process p) throws Exception {
    String last = "";
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        last = line;
      }
    }
    assertTrue(p.waitFor(300, TimeUnit.SECONDS));
    return last;
  }

  private static String run(Path log, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(600, TimeUnit.SECONDS), "finished: " + String.join(" ", cmd));
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + out);
    return out;
  }
}
