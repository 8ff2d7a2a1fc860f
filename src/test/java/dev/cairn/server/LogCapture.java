package dev.cairn.server;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Records what one java.util.logging logger publishes while attached, for tests that assert a log line. */
public final class LogCapture implements AutoCloseable {
  /** Held strongly: java.util.logging keeps loggers only weakly, and a collected one loses our handler. */
  private final Logger logger;
  private final List<LogRecord> records = new ArrayList<>();
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      synchronized (records) {
        records.add(record);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  private LogCapture(Logger logger) {
    this.logger = logger;
    logger.addHandler(handler);
  }

  public static LogCapture of(String loggerName) {
    return new LogCapture(Logger.getLogger(loggerName));
  }

  public boolean any(Predicate<LogRecord> matching) {
    synchronized (records) {
      return records.stream().anyMatch(matching);
    }
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
