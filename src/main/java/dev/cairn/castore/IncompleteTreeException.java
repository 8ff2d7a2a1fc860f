package dev.cairn.castore;

import java.io.IOException;

/**
 * A tree cannot be rendered because castore lacks part of it (a blob or directory a node names)
 * or a file node's size is not its blob's. Whose fault that is depends on where the tree came
 * from: a client's node (CalculateNAR, a PathInfo Put) is refused as bad input, a stored path
 * is a server-side problem.
 */
public final class IncompleteTreeException extends IOException {
  public IncompleteTreeException(String message) {
    super(message);
  }
}
