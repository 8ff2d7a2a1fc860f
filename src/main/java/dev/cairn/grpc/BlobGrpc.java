package dev.cairn.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.cairn.castore.B3Digest;
import dev.cairn.castore.BlobService;
import dev.cairn.castore.BlobWriter;
import dev.cairn.castore.ChunkMeta;
import dev.cairn.grpc.proto.tvix.castore.v1.BlobChunk;
import dev.cairn.grpc.proto.tvix.castore.v1.PutBlobResponse;
import dev.cairn.grpc.proto.tvix.castore.v1.ReadBlobRequest;
import dev.cairn.grpc.proto.tvix.castore.v1.StatBlobRequest;
import dev.cairn.grpc.proto.tvix.castore.v1.StatBlobResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.grpc.server.GrpcServerRequest;

/** tvix.castore.v1.BlobService (and snix's): Stat, Read, Put over the blob store; Put needs a writer's token. */
final class BlobGrpc {
  /** Bytes per BlobChunk message on Read; well below gRPC's 4 MiB default message limit. */
  private static final int READ_PIECE = 256 << 10;
  private final BlobService blobs;
  private final GrpcAuth auth;

  BlobGrpc(BlobService blobs, GrpcAuth auth) {
    this.blobs = blobs;
    this.auth = auth;
  }

  void register(Methods m) {
    m.<StatBlobRequest, StatBlobResponse>addRead("BlobService", "Stat", StatBlobRequest.getDefaultInstance(), this::stat);
    m.<ReadBlobRequest, BlobChunk>addRead("BlobService", "Read", ReadBlobRequest.getDefaultInstance(), this::read);
    m.<BlobChunk, PutBlobResponse>add("BlobService", "Put", BlobChunk.getDefaultInstance(), this::put);
  }

  private void stat(GrpcServerRequest<StatBlobRequest, StatBlobResponse> call) {
    call.handler(req -> digest(req.getDigest(), call.response()).ifPresent(digest -> blobs.stat(digest).onSuccess(stat -> {
        if (stat.isEmpty()) {
          GrpcErrors.notFound(call.response(), "blob " + digest + " not found");
          return;
        }
        StatBlobResponse.Builder b = StatBlobResponse.newBuilder();
        if (req.getSendChunks()) {
          for (ChunkMeta c : stat.get().chunks()) {
            b.addChunks(StatBlobResponse.ChunkMeta.newBuilder().setDigest(ByteString.copyFrom(c.digest().bytes())).setSize(c.size()));
          }
        }
        call.response().end(b.build());
      }).onFailure(e -> GrpcErrors.fail(call.response(), e))));
  }

  /** The 32-byte digest of a request, or INVALID_ARGUMENT already answered. */
  private static java.util.Optional<B3Digest> digest(ByteString bytes, io.vertx.grpc.server.GrpcServerResponse<?, ?> response) {
    try {
      return java.util.Optional.of(B3Digest.of("digest", bytes.toByteArray()));
    } catch (RuntimeException e) {
      GrpcErrors.fail(response, e);
      return java.util.Optional.empty();
    }
  }

  private void read(GrpcServerRequest<ReadBlobRequest, BlobChunk> call) {
    call.handler(req -> digest(req.getDigest(), call.response()).ifPresent(digest -> blobs.open(digest).onSuccess(reader -> {
        if (reader.isEmpty()) {
          GrpcErrors.notFound(call.response(), "blob " + digest + " not found");
          return;
        }
        // The pipe waits for the response to drain: a slow reader never makes us buffer the blob.
        // Pieces are views of verified, immutable chunk bytes: wrapped, not copied, into the message.
        reader.get().pipeTo(call.response(), piece -> BlobChunk.newBuilder()
                .setData(UnsafeByteOperations.unsafeWrap(((BufferInternal) piece).getByteBuf().nioBuffer())).build(), READ_PIECE)
            .onSuccess(v -> call.response().end())
            .onFailure(e -> GrpcErrors.fail(call.response(), e));
      }).onFailure(e -> GrpcErrors.fail(call.response(), e))));
  }

  private void put(GrpcServerRequest<BlobChunk, PutBlobResponse> call) {
    auth.writer(call, user -> receive(call));
  }

  private void receive(GrpcServerRequest<BlobChunk, PutBlobResponse> call) {
    BlobWriter writer = blobs.put();
    call.handler(chunk -> {
      if (chunk.getData().isEmpty()) {
        return;
      }
      // Back-pressure: take the next message only once this one is written.
      call.pause();
      writer.write(Buffer.buffer(chunk.getData().toByteArray())).onComplete(ar -> {
        if (ar.succeeded()) {
          call.resume();
        } else {
          writer.abort();
          GrpcErrors.fail(call.response(), ar.cause());
        }
      });
    });
    call.endHandler(v -> writer.close()
        .onSuccess(digest -> call.response().end(PutBlobResponse.newBuilder().setDigest(ByteString.copyFrom(digest.bytes())).build()))
        .onFailure(e -> GrpcErrors.fail(call.response(), e)));
    call.exceptionHandler(e -> writer.abort());
    call.errorHandler(e -> writer.abort());
    call.resume();
  }
}
