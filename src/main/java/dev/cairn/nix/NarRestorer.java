package dev.cairn.nix;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;

/** Writes the tree a NAR describes into a directory that must not exist yet (like {@code nix-store --restore}). */
public final class NarRestorer implements NarVisitor {
  private final ArrayDeque<Path> stack = new ArrayDeque<>();
  private Path next;
  private FileChannel file;
  private Path filePath;
  private boolean executable;

  public NarRestorer(Path root) {
    this.next = root;
  }

  @Override
  public void directoryStart() throws IOException {
    Files.createDirectory(next);
    stack.push(next);
  }

  @Override
  public void entryStart(byte[] name) {
    next = stack.peek().resolve(new String(name, StandardCharsets.UTF_8));
  }

  @Override
  public void entryEnd() {}

  @Override
  public void directoryEnd() {
    stack.pop();
  }

  @Override
  public void fileStart(boolean executable, long size) throws IOException {
    this.executable = executable;
    filePath = next;
    file = FileChannel.open(next, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  @Override
  public void fileContents(ByteBuffer chunk) throws IOException {
    while (chunk.hasRemaining()) {
      file.write(chunk);
    }
  }

  @Override
  public void fileEnd() throws IOException {
    file.close();
    Files.setPosixFilePermissions(filePath, PosixFilePermissions.fromString(executable ? "r-xr-xr-x" : "r--r--r--"));
  }

  @Override
  public void symlink(byte[] target) throws IOException {
    Files.createSymbolicLink(next, Path.of(new String(target, StandardCharsets.UTF_8)));
  }
}
