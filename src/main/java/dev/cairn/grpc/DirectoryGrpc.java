package dev.cairn.grpc;

import com.google.protobuf.ByteString;
import dev.cairn.castore.B3Digest;
import dev.cairn.castore.Directory;
import dev.cairn.castore.DirectoryClosure;
import dev.cairn.castore.DirectoryService;
import dev.cairn.grpc.proto.tvix.castore.v1.GetDirectoryRequest;
import dev.cairn.grpc.proto.tvix.castore.v1.PutDirectoryResponse;
import dev.cairn.validation.ValidationException;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerRequest;

/** tvix.castore.v1.DirectoryService (and snix's): Get (single or recursive BFS) and Put of a leaves-to-root stream (a writer's token, a bounded length). */
final class DirectoryGrpc {
  private final DirectoryService directories;
  private final GrpcAuth auth;
  private final int maxPerPut;

  DirectoryGrpc(DirectoryService directories, GrpcAuth auth, int maxPerPut) {
    this.directories = directories;
    this.auth = auth;
    this.maxPerPut = maxPerPut;
  }

  void register(Methods m) {
    m.<GetDirectoryRequest, dev.cairn.grpc.proto.tvix.castore.v1.Directory>addRead("DirectoryService", "Get",
        GetDirectoryRequest.getDefaultInstance(), this::get);
    m.<dev.cairn.grpc.proto.tvix.castore.v1.Directory, PutDirectoryResponse>add("DirectoryService", "Put",
        dev.cairn.grpc.proto.tvix.castore.v1.Directory.getDefaultInstance(), this::put);
  }

  private void get(GrpcServerRequest<GetDirectoryRequest, dev.cairn.grpc.proto.tvix.castore.v1.Directory> call) {
    call.handler(req -> {
      B3Digest digest;
      try {
        if (!req.hasDigest()) {
          throw new ValidationException("by_what", "a digest is required");
        }
        digest = B3Digest.of("digest", req.getDigest().toByteArray());
      } catch (RuntimeException e) {
        GrpcErrors.fail(call.response(), e);
        return;
      }
      if (req.getRecursive()) {
        // A missing root is an empty stream (WIRE.md §3).
        directories.getRecursive(digest).onSuccess(all -> {
          for (Directory d : all) {
            call.response().write(d.toProto());
          }
          call.response().end();
        }).onFailure(e -> GrpcErrors.fail(call.response(), e));
      } else {
        directories.get(digest).onSuccess(d -> {
          if (d.isEmpty()) {
            GrpcErrors.notFound(call.response(), "directory " + digest + " not found");
          } else {
            call.response().end(d.get().toProto());
          }
        }).onFailure(e -> GrpcErrors.fail(call.response(), e));
      }
    });
  }

  private void put(GrpcServerRequest<dev.cairn.grpc.proto.tvix.castore.v1.Directory, PutDirectoryResponse> call) {
    auth.writer(call, user -> receive(call));
  }

  /** Validates each directory as it arrives: a bad or oversized stream is refused at once, not buffered to its end. */
  private void receive(GrpcServerRequest<dev.cairn.grpc.proto.tvix.castore.v1.Directory, PutDirectoryResponse> call) {
    DirectoryClosure.Builder closure = new DirectoryClosure.Builder();
    boolean[] failed = {false};
    call.handler(proto -> {
      if (failed[0]) {
        return;
      }
      if (closure.count() == maxPerPut) {
        failed[0] = true;
        GrpcErrors.end(call.response(), GrpcStatus.RESOURCE_EXHAUSTED, "directories: a Directory Put stream may carry at most " + maxPerPut
            + " directories (castore.max_directories_per_put)");
        return;
      }
      try {
        closure.add(directory(proto, closure.count()));
      } catch (ValidationException e) {
        failed[0] = true;
        GrpcErrors.fail(call.response(), e);
      }
    });
    call.endHandler(v -> {
      if (failed[0]) {
        return;
      }
      DirectoryClosure complete;
      try {
        complete = closure.build();
      } catch (ValidationException e) {
        GrpcErrors.fail(call.response(), e);
        return;
      }
      directories.put(complete)
          .onSuccess(root -> call.response().end(PutDirectoryResponse.newBuilder().setRootDigest(ByteString.copyFrom(root.bytes())).build()))
          .onFailure(e -> GrpcErrors.fail(call.response(), e));
    });
    call.resume();
  }

  private static Directory directory(dev.cairn.grpc.proto.tvix.castore.v1.Directory proto, int index) {
    try {
      return Directory.fromProto(proto);
    } catch (ValidationException e) {
      throw e.under("directories[" + index + "]");
    }
  }
}
