package dev.cairn.nix;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Events of a NAR in document order. The root node comes first (no entry); a directory's
 * children are bracketed by {@link #entryStart}/{@link #entryEnd}. File contents arrive in
 * pieces of any size, valid only during the call.
 */
public interface NarVisitor {
  /** Ignores every event: parsing with it only validates. */
  NarVisitor IGNORE = new NarVisitor() {
    @Override
    public void directoryStart() {}

    @Override
    public void entryStart(byte[] name) {}

    @Override
    public void entryEnd() {}

    @Override
    public void directoryEnd() {}

    @Override
    public void fileStart(boolean executable, long size) {}

    @Override
    public void fileContents(ByteBuffer chunk) {}

    @Override
    public void fileEnd() {}

    @Override
    public void symlink(byte[] target) {}
  };

  void directoryStart() throws IOException;

  void entryStart(byte[] name) throws IOException;

  void entryEnd() throws IOException;

  void directoryEnd() throws IOException;

  void fileStart(boolean executable, long size) throws IOException;

  void fileContents(ByteBuffer chunk) throws IOException;

  void fileEnd() throws IOException;

  void symlink(byte[] target) throws IOException;

  /** The archive ended (after the root node closed). */
  default void end() throws IOException {}
}
