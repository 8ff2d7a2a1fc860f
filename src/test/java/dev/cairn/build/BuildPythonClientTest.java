package dev.cairn.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.server.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DoBuild from an independent client: Python grpcio with stubs generated from our .proto files. */
class BuildPythonClientTest {
  @TempDir
  Path tmp;

  @Test
  void pythonClientRunsDoBuild() throws Exception {
    Path gen = dev.cairn.grpc.PythonStubs.generate(tmp);
    Path root = Files.createTempDirectory(Path.of("/tmp"), "cairn-builds-py-");
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
    try (TestServer server = TestServer.start(Dialect.SQLITE, Map.of("CAIRN_BUILD_BUNDLE_ROOT", root.toString()))) {
      String token = server.createUser("builder");
      Sh r = Sh.run("/usr/bin/python3", "src/test/python/build_client.py", "127.0.0.1:" + server.port(), gen.toString(), token);
      assertEquals(0, r.exit(), r.out());
      assertTrue(r.out().contains("7 passed, 0 failed"), r.out());
    }
    try (Stream<Path> left = Files.list(root)) {
      assertEquals(List.of(), left.toList());
    }
  }
}
