package dev.cairn.db;

import io.vertx.core.Future;
import java.util.function.Function;

/**
 * The one access layer to Cairn's metadata. Statements outside {@link #transaction} run
 * in their own implicit transaction; inside it, all statements of {@code work} commit or
 * roll back together (rolled back when the returned future fails).
 */
public interface Database extends Sql {
  Dialect dialect();

  <T> Future<T> transaction(Function<Sql, Future<T>> work);

  /** Succeeds when the database answers a trivial query. */
  Future<Void> ping();

  Future<Void> close();
}
