package dev.cairn.build;

import dev.cairn.server.http.ClientError;

/** Every build slot busy and the queue full: 429 / RESOURCE_EXHAUSTED, try later. */
public final class QueueFullException extends RuntimeException implements ClientError {
  QueueFullException(int running, int queued) {
    super("build queue full: " + running + " builds running, " + queued + " queued (build.max_queued); retry later", null, false,
        false);
  }

  @Override
  public int httpStatus() {
    return 429;
  }
}
