package dev.cairn.grpc;

import com.google.protobuf.MessageLite;
import com.google.protobuf.MessageOrBuilder;
import io.vertx.core.Handler;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import java.util.List;

/**
 * Registers a method under the tvix package and again under snix's: snix renamed the packages
 * (and Node* to Entry*) but kept every field number, so the bytes — and our tvix message
 * classes — serve both.
 */
final class Methods {
  private final GrpcServer server;
  private final List<String> packages;
  private final GrpcAuth auth;

  Methods(GrpcServer server, String tvixPackage, GrpcAuth auth) {
    this.server = server;
    this.packages = List.of(tvixPackage, tvixPackage.replaceFirst("^tvix\\.", "snix."));
    this.auth = auth;
  }

  /**
   * A method that only reads: public, or on a private instance behind a reader's token
   * (checked before a message is read). Writes authenticate in their own handler.
   */
  <Req extends MessageOrBuilder, Resp extends MessageLite> void addRead(String service, String method, Req requestDefault,
                                                                        Handler<GrpcServerRequest<Req, Resp>> handler) {
    this.<Req, Resp>add(service, method, requestDefault, call -> auth.reader(call, user -> {
      handler.handle(call);
      call.resume();
    }));
  }

  <Req extends MessageOrBuilder, Resp extends MessageLite> void add(String service, String method, Req requestDefault,
                                                                    Handler<GrpcServerRequest<Req, Resp>> handler) {
    for (String pkg : packages) {
      addIn(pkg, service, method, requestDefault, handler);
    }
  }

  /** A method under one package only (where tvix's and snix's messages differ). */
  <Req extends MessageOrBuilder, Resp extends MessageLite> void addIn(String pkg, String service, String method, Req requestDefault,
                                                                      Handler<GrpcServerRequest<Req, Resp>> handler) {
    ServiceMethod<Req, Resp> m = ServiceMethod.server(ServiceName.create(pkg, service), method, GrpcMessageEncoder.encoder(),
        GrpcMessageDecoder.decoder(requestDefault));
    server.callHandler(m, call -> {
      // An oversized message: Vert.x would reset the stream (CANCELLED, no message); a client
      // deserves a status that names the rule. (Bytes that do not decode still get Vert.x's reset.)
      call.invalidMessageHandler(invalid -> GrpcErrors.invalidMessage(call.response(), requestDefault, invalid));
      handler.handle(call);
    });
  }
}
