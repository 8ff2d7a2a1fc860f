package dev.cairn.grpc;

import com.google.protobuf.ByteString;
import dev.cairn.castore.Node;
import dev.cairn.grpc.proto.tvix.store.v1.CalculateNARResponse;
import dev.cairn.grpc.proto.tvix.store.v1.GetPathInfoRequest;
import dev.cairn.grpc.proto.tvix.store.v1.ListPathInfoRequest;
import dev.cairn.grpc.proto.tvix.store.v1.PathInfo;
import dev.cairn.store.NarCalculationService;
import dev.cairn.store.PathInfoService;
import dev.cairn.store.PathInfoUploads;
import dev.cairn.store.StorePathDigest;
import dev.cairn.validation.ValidationException;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.Optional;

/** tvix.store.v1.PathInfoService (and snix's): Get, Put (a writer's token; see {@link PathInfoUploads}), CalculateNAR, List. */
final class PathInfoGrpc {
  private static final int LIST_PAGE = 500;
  private final PathInfoService pathInfos;
  private final PathInfoUploads uploads;
  private final NarCalculationService narCalculation;
  private final GrpcAuth auth;

  PathInfoGrpc(PathInfoService pathInfos, PathInfoUploads uploads, NarCalculationService narCalculation, GrpcAuth auth) {
    this.pathInfos = pathInfos;
    this.uploads = uploads;
    this.narCalculation = narCalculation;
    this.auth = auth;
  }

  void register(Methods m) {
    m.<GetPathInfoRequest, PathInfo>addRead("PathInfoService", "Get", GetPathInfoRequest.getDefaultInstance(), this::get);
    m.<PathInfo, PathInfo>add("PathInfoService", "Put", PathInfo.getDefaultInstance(), this::put);
    m.<dev.cairn.grpc.proto.tvix.castore.v1.Node, CalculateNARResponse>addRead("PathInfoService", "CalculateNAR",
        dev.cairn.grpc.proto.tvix.castore.v1.Node.getDefaultInstance(), this::calculateNar);
    m.<ListPathInfoRequest, PathInfo>addRead("PathInfoService", "List", ListPathInfoRequest.getDefaultInstance(), this::list);
  }

  private void get(GrpcServerRequest<GetPathInfoRequest, PathInfo> call) {
    call.handler(req -> {
      StorePathDigest digest;
      try {
        digest = StorePathDigest.of("by_output_hash", req.getByOutputHash().toByteArray());
      } catch (ValidationException e) {
        GrpcErrors.fail(call.response(), e);
        return;
      }
      pathInfos.get(digest).onSuccess(info -> {
        if (info.isEmpty()) {
          GrpcErrors.notFound(call.response(), "no PathInfo for " + digest.hashPart());
        } else {
          call.response().end(PathInfoProtos.toProto(info.get()));
        }
      }).onFailure(e -> GrpcErrors.fail(call.response(), e));
    });
  }

  private void put(GrpcServerRequest<PathInfo, PathInfo> call) {
    auth.writer(call, user -> {
      call.handler(req -> {
        dev.cairn.store.PathInfo info;
        try {
          info = PathInfoProtos.fromProto(req);
        } catch (ValidationException e) {
          GrpcErrors.fail(call.response(), e);
          return;
        }
        uploads.accept(info, user).onSuccess(stored -> call.response().end(PathInfoProtos.toProto(stored)))
            .onFailure(e -> GrpcErrors.fail(call.response(), e));
      });
      call.resume();
    });
  }

  private void calculateNar(GrpcServerRequest<dev.cairn.grpc.proto.tvix.castore.v1.Node, CalculateNARResponse> call) {
    call.handler(req -> {
      Node node;
      try {
        node = Node.fromProtoAnonymous(req);
      } catch (ValidationException e) {
        GrpcErrors.fail(call.response(), e);
        return;
      }
      narCalculation.calculate(node)
          .onSuccess(s -> call.response().end(CalculateNARResponse.newBuilder().setNarSize(s.narSize())
              .setNarSha256(ByteString.copyFrom(s.narSha256().bytes())).build()))
          .onFailure(e -> GrpcErrors.fail(call.response(), e));
    });
  }

  private void list(GrpcServerRequest<ListPathInfoRequest, PathInfo> call) {
    call.handler(req -> page(call.response(), Optional.empty()));
  }

  /** Streams a page, then the next once the client has taken this one (no unbounded buffering). */
  private void page(GrpcServerResponse<ListPathInfoRequest, PathInfo> response, Optional<StorePathDigest> after) {
    pathInfos.list(after, LIST_PAGE).onSuccess(page -> {
      for (dev.cairn.store.PathInfo info : page) {
        response.write(PathInfoProtos.toProto(info));
      }
      if (page.size() < LIST_PAGE) {
        response.end();
        return;
      }
      Optional<StorePathDigest> next = Optional.of(page.get(page.size() - 1).digest());
      if (response.writeQueueFull()) {
        response.drainHandler(v -> page(response, next));
      } else {
        page(response, next);
      }
    }).onFailure(e -> GrpcErrors.fail(response, e));
  }
}
