package dev.cairn.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.castore.chunks.S3Server;
import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.server.ServerProcess;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scaled-out deployment in small: two Cairn server processes sharing one PostgreSQL
 * database and one blob store (a {@code file:///…} directory, or an S3 bucket on s3proxy), each
 * with its own data directory, read each other's blobs, directories and PathInfos over gRPC, and a path stored
 * through one is immutable through the other. PostgreSQL only: sharing a database between
 * replicas is what PostgreSQL is there for (an embedded SQLite file belongs to one process).
 */
class TwoReplicasTest {
  @TempDir
  Path tmp;

  @Test
  void replicasSharingADatabaseAndABlobDirectoryServeEachOthersWrites() throws Exception {
    Path blobs = Files.createDirectories(tmp.resolve("shared-blobs"));
    replicasServeEachOthersWrites(Map.of("CAIRN_CASTORE_BLOB_STORE", blobs.toUri().toString()));
  }

  @Test
  void replicasSharingADatabaseAndABucketServeEachOthersWrites() throws Exception {
    S3Server s3 = S3Server.shared();
    replicasServeEachOthersWrites(Map.of("CAIRN_CASTORE_BLOB_STORE", s3.location(s3.createBucket(), "replicas").toString(),
        "AWS_ACCESS_KEY_ID", S3Server.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", S3Server.SECRET_KEY));
  }

  private void replicasServeEachOthersWrites(Map<String, String> blobStore) throws Exception {
    Path gen = PythonStubs.generate(tmp);
    Vertx vertx = Vertx.vertx();
    try (TestDatabase db = TestDatabase.create(vertx, Dialect.POSTGRESQL)) {
      Map<String, String> shared = new HashMap<>(blobStore);
      shared.putAll(Map.of("CAIRN_DATABASE_URL", db.url(), "CAIRN_HTTP_REQUEST_LOG", "false"));
      Map<String, String> envA = new HashMap<>(shared);
      envA.put("CAIRN_DATA_DIR", Files.createDirectories(tmp.resolve("a")).toString());
      Map<String, String> envB = new HashMap<>(shared);
      envB.put("CAIRN_DATA_DIR", Files.createDirectories(tmp.resolve("b")).toString());
      try (ServerProcess a = ServerProcess.start(envA, ServerProcess.freePort(), tmp.resolve("a.log"));
           ServerProcess b = ServerProcess.start(envB, ServerProcess.freePort(), tmp.resolve("b.log"))) {
        String token = ServerProcess.createUser(envA, "replicated-writer");
        Path log = tmp.resolve("client.log");
        Process client = new ProcessBuilder("/usr/bin/python3", "src/test/python/two_servers.py", a.target(), b.target(), gen.toString(), token)
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(client.waitFor(300, TimeUnit.SECONDS));
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, client.exitValue(), out + "\nA:\n" + a.log() + "\nB:\n" + b.log());
        assertTrue(out.contains("5 passed, 0 failed"), out);
        try (var stream = Files.list(tmp.resolve("a"))) {
          assertTrue(stream.noneMatch(p -> p.getFileName().toString().equals("blobs")), "no replica kept blobs of its own");
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
