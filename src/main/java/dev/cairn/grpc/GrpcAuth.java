package dev.cairn.grpc;

import dev.cairn.server.http.BearerToken;
import dev.cairn.users.Role;
import dev.cairn.users.User;
import dev.cairn.users.UserService;
import io.vertx.core.Handler;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerRequest;

/**
 * Store writes over gRPC need a Cairn token in the call's metadata, {@code authorization: Bearer
 * <token>} (what tvix/snix clients and grpcio send as call credentials or plain metadata). The
 * token is checked before a single message of the stream is read: an anonymous client cannot
 * make the server buffer or store anything. Reads stay public.
 */
final class GrpcAuth {
  private final UserService users;
  private final boolean privateReads;

  GrpcAuth(UserService users, boolean privateReads) {
    this.users = users;
    this.privateReads = privateReads;
  }

  /**
   * Reads are public unless the instance is private ({@code http.private}); then, like {@link
   * #writer}, the call is paused, authenticated and handed on (still paused) only for a user
   * with at least the reader role.
   */
  <Req, Resp> void reader(GrpcServerRequest<Req, Resp> call, Handler<User> then) {
    if (!privateReads) {
      call.pause();
      then.handle(null);
      return;
    }
    check(call, user -> !user.revoked() && user.role().allows(Role.READER), "this instance is private: reads need a reader's token", then);
  }

  /** Who may write to the store: the single place the rule lives. */
  private static boolean mayWrite(User user) {
    return !user.revoked() && user.role().allows(Role.WRITER);
  }

  /**
   * Pauses the call, authenticates it, and hands it to {@code then} (still paused: resume it
   * once its handlers are set) with the user; otherwise answers UNAUTHENTICATED or
   * PERMISSION_DENIED and reads nothing.
   */
  <Req, Resp> void writer(GrpcServerRequest<Req, Resp> call, Handler<User> then) {
    check(call, GrpcAuth::mayWrite, "store writes need the writer role", then);
  }

  private <Req, Resp> void check(GrpcServerRequest<Req, Resp> call, java.util.function.Predicate<User> allowed, String need,
                                 Handler<User> then) {
    call.pause();
    String header = call.headers().get("authorization");
    users.authenticate(BearerToken.fromHeader(header).orElse(null)).onComplete(ar -> {
      if (ar.failed()) {
        GrpcErrors.fail(call.response(), ar.cause());
      } else if (ar.result().isEmpty()) {
        GrpcErrors.end(call.response(), GrpcStatus.UNAUTHENTICATED, header == null
            ? need + ": send metadata \"authorization: Bearer <token>\""
            : "the token is unknown or revoked");
      } else if (!allowed.test(ar.result().get())) {
        GrpcErrors.end(call.response(), GrpcStatus.PERMISSION_DENIED, "user " + ar.result().get().name() + " has role "
            + ar.result().get().role() + "; " + need);
      } else {
        then.handle(ar.result().get());
      }
    });
  }
}
