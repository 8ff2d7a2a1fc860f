package dev.cairn.store.gc;

/** A collection gave up between two steps (the server is shutting down, or it lost its lease); what it did so far is consistent. */
public final class GcStoppedException extends RuntimeException {
  public GcStoppedException() {
    this("the server is shutting down");
  }

  public GcStoppedException(String why) {
    super("garbage collection stopped: " + why);
  }
}
