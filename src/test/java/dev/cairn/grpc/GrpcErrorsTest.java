package dev.cairn.grpc;

import dev.cairn.server.LogCapture;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.cairn.castore.BlobCorruptedException;
import dev.cairn.grpc.proto.tvix.castore.v1.StatBlobRequest;
import dev.cairn.grpc.proto.tvix.castore.v1.StatBlobResponse;
import dev.cairn.validation.ValidationException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The one map from domain errors to gRPC statuses, over a real Vert.x gRPC server and client: a
 * client error only when a rule says so, and a bug (an IllegalArgumentException from, say, a
 * column-name typo) INTERNAL with a fixed message and a log line, never its text.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcErrorsTest {
  private static final String SECRET_PATH = "/var/lib/cairn/blobs/chunks/ab/abcdef";
  private final Map<String, Supplier<Throwable>> failures = Map.of(
      "validation", () -> new ValidationException("narinfo.nar_size", "must be positive"),
      "bug", () -> new IllegalArgumentException("no column nmae in row, reading " + SECRET_PATH),
      "io", () -> new java.io.IOException(SECRET_PATH + ": Permission denied"),
      "corrupt", () -> new BlobCorruptedException("chunk b3:AAAA has a bad header"));
  private LogCapture logged;
  private Vertx vertx;
  private HttpServer http;
  private GrpcClient client;

  @BeforeAll
  void start() throws Exception {
    logged = LogCapture.of("cairn.grpc");
    vertx = Vertx.vertx();
    GrpcServer grpc = GrpcServer.server(vertx);
    new Methods(grpc, "tvix.castore.v1", null).<StatBlobRequest, StatBlobResponse>add("BlobService", "Stat", StatBlobRequest.getDefaultInstance(),
        call -> call.handler(req -> GrpcErrors.fail(call.response(), failures.get(req.getDigest().toStringUtf8()).get())));
    http = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setHttp2ClearTextEnabled(true))
        .requestHandler(grpc).listen());
    client = GrpcClient.client(vertx, new io.vertx.core.http.HttpClientOptions().setHttp2ClearTextUpgrade(false)
        .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2));
  }

  @AfterAll
  void stop() throws Exception {
    logged.close();
    await(client.close());
    await(http.close());
    await(vertx.close());
  }

  private record Answer(GrpcStatus status, String message) {}

  private Answer call(String failure) throws Exception {
    ServiceMethod<StatBlobResponse, StatBlobRequest> stat = ServiceMethod.client(ServiceName.create("tvix.castore.v1", "BlobService"), "Stat",
        GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(StatBlobResponse.getDefaultInstance()));
    return await(client.request(SocketAddress.inetSocketAddress(http.actualPort(), "127.0.0.1"), stat)
        .compose(req -> {
          req.end(StatBlobRequest.newBuilder().setDigest(ByteString.copyFromUtf8(failure)).build());
          return req.response();
        })
        .compose(resp -> resp.end().transform(ended -> io.vertx.core.Future.succeededFuture(new Answer(resp.status(), resp.statusMessage())))));
  }

  @Test
  void aValidationErrorIsInvalidArgumentNamingTheField() throws Exception {
    assertEquals(new Answer(GrpcStatus.INVALID_ARGUMENT, "narinfo.nar_size: must be positive"), call("validation"));
  }

  @Test
  void anIllegalArgumentExceptionIsABugInternalWithAFixedMessageAndALogLine() throws Exception {
    for (String failure : List.of("bug", "io")) {
      Answer a = call(failure);
      assertEquals(GrpcStatus.INTERNAL, a.status(), failure);
      assertFalse(a.message().contains(SECRET_PATH) || a.message().contains("nmae"), a.message());
      assertTrue(logged.any(r -> r.getThrown() != null && r.getThrown().getMessage().contains(SECRET_PATH)),
          "the server logged the cause of " + failure);
    }
  }

  @Test
  void corruptionIsDataLoss() throws Exception {
    Answer a = call("corrupt");
    assertEquals(GrpcStatus.DATA_LOSS, a.status());
    assertTrue(a.message().contains("b3:AAAA"), a.message());
  }
}
