package dev.cairn.server.http;

/**
 * An {@link OutOfMemoryError} ends the process (exit code 3), whatever thread it hits: after
 * one, a JVM may keep running with half-dead event loops, answering nothing (seen: 140% CPU,
 * /healthz silent for minutes), while an exited process is restarted by Kubernetes or systemd.
 * The launcher adds {@code -XX:+ExitOnOutOfMemoryError} as well; this covers errors that
 * Vert.x or Netty catch and report instead of letting them reach the JVM.
 */
public final class OutOfMemoryExit {
  public static final int EXIT_CODE = 3;

  private OutOfMemoryExit() {}

  /** Halts if {@code t} is, or was caused by, an OutOfMemoryError. */
  public static void check(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof OutOfMemoryError) {
        halt(c);
      }
    }
  }

  /** Halts on an OutOfMemoryError that reaches any thread's top. */
  public static void installDefaultHandler() {
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
      check(e);
      if (previous != null) {
        previous.uncaughtException(thread, e);
      } else {
        System.err.print("Exception in thread \"" + thread.getName() + "\" ");
        e.printStackTrace();
      }
    });
  }

  private static void halt(Throwable e) {
    // No logging framework, no allocation beyond the message: the heap is exhausted.
    try {
      System.err.println("cairn: out of memory (" + e.getMessage() + "): exiting so that the process is restarted");
    } finally {
      Runtime.getRuntime().halt(EXIT_CODE);
    }
  }
}
