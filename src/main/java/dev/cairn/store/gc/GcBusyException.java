package dev.cairn.store.gc;

import java.time.Instant;

/** Another collection holds the right to delete (on this or another replica); try again later. */
public final class GcBusyException extends IllegalStateException {
  public GcBusyException(String holder, Instant until) {
    super("another garbage collection is running (" + holder + ", lease until " + until + "); try again later");
  }
}
