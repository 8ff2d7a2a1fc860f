package dev.cairn.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Python gRPC stubs generated from our .proto files by Debian's grpc_tools (an independent code generator). */
public final class PythonStubs {
  private PythonStubs() {}

  public static Path generate(Path dir) throws Exception {
    Path gen = Files.createDirectories(dir.resolve("gen"));
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", "-m", "grpc_tools.protoc", "-Isrc/main/proto",
        "--python_out=" + gen, "--grpc_python_out=" + gen));
    try (Stream<Path> protos = Files.walk(Path.of("src/main/proto"))) {
      protos.filter(p -> p.toString().endsWith(".proto")).forEach(p -> cmd.add(Path.of("src/main/proto").relativize(p).toString()));
    }
    Path log = dir.resolve("protoc.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), Files.readString(log));
    return gen;
  }
}
