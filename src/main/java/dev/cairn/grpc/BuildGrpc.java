package dev.cairn.grpc;

import dev.cairn.build.BuildJob;
import dev.cairn.build.BuildRequest;
import dev.cairn.build.BuildService;
import dev.cairn.grpc.proto.tvix.build.v1.Build;
import dev.cairn.users.UserService;
import dev.cairn.validation.ValidationException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;

/**
 * tvix.build.v1.BuildService/DoBuild (and snix's, wire-identical): a writer's token, the request
 * validated before anything starts, the answer once the build ends. Cairn's one extension is
 * the metadata {@code cairn-register: true}, which stores outputs that are store paths as
 * PathInfos (see the README). A client that goes away cancels its build.
 */
public final class BuildGrpc {
  private final BuildService builds;
  private final GrpcAuth auth;

  private BuildGrpc(BuildService builds, GrpcAuth auth) {
    this.builds = builds;
    this.auth = auth;
  }

  public static void register(GrpcServer server, BuildService builds, UserService users, boolean privateReads) {
    GrpcAuth auth = new GrpcAuth(users, privateReads);
    BuildGrpc grpc = new BuildGrpc(builds, auth);
    new Methods(server, "tvix.build.v1", auth).<dev.cairn.grpc.proto.tvix.build.v1.BuildRequest, Build>add("BuildService", "DoBuild",
        dev.cairn.grpc.proto.tvix.build.v1.BuildRequest.getDefaultInstance(), grpc::doBuild);
  }

  private void doBuild(GrpcServerRequest<dev.cairn.grpc.proto.tvix.build.v1.BuildRequest, Build> call) {
    auth.writer(call, user -> {
      boolean register = "true".equalsIgnoreCase(call.headers().get("cairn-register"));
      Context context = Vertx.currentContext();
      call.handler(proto -> {
        BuildJob job;
        try {
          BuildRequest request = BuildRequest.fromProto(proto);
          job = builds.submit(request, register, user);
        } catch (ValidationException | dev.cairn.build.QueueFullException e) {
          GrpcErrors.fail(call.response(), e);
          return;
        }
        call.exceptionHandler(e -> builds.cancel(job));
        job.done().onComplete(ar -> context.runOnContext(v -> {
          if (ar.succeeded()) {
            call.response().end(ar.result().toProto(job.request()));
          } else {
            GrpcErrors.fail(call.response(), ar.cause());
          }
        }));
      });
      call.resume();
    });
  }
}
