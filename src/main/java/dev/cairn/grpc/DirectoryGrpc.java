package dev.cairn.grpc;

import com.google.protobuf.ByteString;
import dev.cairn.castore.B3Digest;
import dev.cairn.castore.Directory;
import dev.cairn.castore.DirectoryService;
import dev.cairn.castore.ValidationException;
import dev.cairn.grpc.proto.tvix.castore.v1.GetDirectoryRequest;
import dev.cairn.grpc.proto.tvix.castore.v1.PutDirectoryResponse;
import io.vertx.grpc.server.GrpcServerRequest;
import java.util.ArrayList;
import java.util.List;

/** tvix.castore.v1.DirectoryService (and snix's): Get (single or recursive BFS) and Put of a leaves-to-root stream. */
final class DirectoryGrpc {
  private final DirectoryService directories;

  DirectoryGrpc(DirectoryService directories) {
    this.directories = directories;
  }

  void register(Methods m) {
    m.<GetDirectoryRequest, dev.cairn.grpc.proto.tvix.castore.v1.Directory>add("DirectoryService", "Get",
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
    List<Directory> received = new ArrayList<>();
    boolean[] failed = {false};
    call.handler(proto -> {
      if (failed[0]) {
        return;
      }
      try {
        received.add(Directory.fromProto(proto));
      } catch (ValidationException e) {
        failed[0] = true;
        GrpcErrors.fail(call.response(), e.under("directories[" + received.size() + "]"));
      }
    });
    call.endHandler(v -> {
      if (failed[0]) {
        return;
      }
      directories.put(received)
          .onSuccess(root -> call.response().end(PutDirectoryResponse.newBuilder().setRootDigest(ByteString.copyFrom(root.bytes())).build()))
          .onFailure(e -> GrpcErrors.fail(call.response(), e));
    });
  }
}
