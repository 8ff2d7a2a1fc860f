package dev.cairn.grpc;

import dev.cairn.build.BuildJob;
import dev.cairn.build.BuildRequest;
import dev.cairn.build.BuildService;
import dev.cairn.grpc.proto.snix.build.v1.BuildResponse;
import dev.cairn.grpc.proto.tvix.build.v1.Build;
import dev.cairn.users.UserService;
import dev.cairn.validation.ValidationException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;

/**
 * tvix.build.v1.BuildService/DoBuild answering tvix's {@code Build}, and snix.build.v1's answering
 * snix's newer {@code BuildResponse} (the requests are wire-identical): a writer's token, the request
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
    Methods methods = new Methods(server, "tvix.build.v1", auth);
    var request = dev.cairn.grpc.proto.tvix.build.v1.BuildRequest.getDefaultInstance();
    methods.<dev.cairn.grpc.proto.tvix.build.v1.BuildRequest, Build>addIn("tvix.build.v1", "BuildService", "DoBuild", request,
        call -> grpc.doBuild(call, (job, result) -> result.toProto(job.request())));
    // snix's request is wire-identical; its answer is the newer BuildResponse (outputs with their needles).
    methods.<dev.cairn.grpc.proto.tvix.build.v1.BuildRequest, BuildResponse>addIn("snix.build.v1", "BuildService", "DoBuild", request,
        call -> grpc.doBuild(call, (job, result) -> snixResponse(result)));
  }

  private static BuildResponse snixResponse(dev.cairn.build.BuildResult result) {
    BuildResponse.Builder b = BuildResponse.newBuilder();
    for (int i = 0; i < result.outputs().size(); i++) {
      try {
        b.addOutputs(BuildResponse.Output.newBuilder()
            .setOutput(dev.cairn.grpc.proto.snix.castore.v1.Entry.parseFrom(result.outputs().get(i).toProto().toByteString()))
            .addAllNeedles(result.needles().get(i)));
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new IllegalStateException("tvix Node and snix Entry share their encoding", e);
      }
    }
    return b.build();
  }

  private <Resp> void doBuild(GrpcServerRequest<dev.cairn.grpc.proto.tvix.build.v1.BuildRequest, Resp> call,
                              java.util.function.BiFunction<BuildJob, dev.cairn.build.BuildResult, Resp> answer) {
    auth.writer(call, user -> {
      boolean register = "true".equalsIgnoreCase(call.headers().get("cairn-register"));
      Context context = Vertx.currentContext();
      call.handler(proto -> {
        BuildJob job;
        try {
          BuildRequest request = BuildRequest.fromProto(proto);
          job = builds.submit(request, register, user);
        } catch (ValidationException | dev.cairn.build.QueueFullException | dev.cairn.build.BuildUnavailableException e) {
          GrpcErrors.fail(call.response(), e);
          return;
        }
        call.exceptionHandler(e -> builds.cancel(job));
        job.done().onComplete(ar -> context.runOnContext(v -> {
          if (ar.succeeded()) {
            call.response().end(answer.apply(job, ar.result()));
          } else {
            GrpcErrors.fail(call.response(), ar.cause());
          }
        }));
      });
      call.resume();
    });
  }
}
