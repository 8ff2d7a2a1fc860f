package dev.cairn.store.gc;

/** A collection gave up between two steps because the server is shutting down; what it did so far is consistent. */
public final class GcStoppedException extends RuntimeException {
  public GcStoppedException() {
    super("garbage collection stopped: the server is shutting down");
  }
}
