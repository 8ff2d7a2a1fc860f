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

  GrpcAuth(UserService users) {
    this.users = users;
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
    call.pause();
    String header = call.headers().get("authorization");
    users.authenticate(BearerToken.fromHeader(header).orElse(null)).onComplete(ar -> {
      if (ar.failed()) {
        GrpcErrors.fail(call.response(), ar.cause());
      } else if (ar.result().isEmpty()) {
        GrpcErrors.end(call.response(), GrpcStatus.UNAUTHENTICATED, header == null
            ? "store writes need a Cairn token: send metadata \"authorization: Bearer <token>\""
            : "the token is unknown or revoked");
      } else if (!mayWrite(ar.result().get())) {
        GrpcErrors.end(call.response(), GrpcStatus.PERMISSION_DENIED, "user " + ar.result().get().name() + " has role "
            + ar.result().get().role() + "; store writes need the writer role");
      } else {
        then.handle(ar.result().get());
      }
    });
  }
}
