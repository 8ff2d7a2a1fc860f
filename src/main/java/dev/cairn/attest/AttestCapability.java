package dev.cairn.attest;

import dev.cairn.server.Capability;
import dev.cairn.server.ServerContext;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;

/** Hash collection: lila's routes at / and /api/ (jobsets and evaluations under /api/), and Cairn's own under /api/v1/. */
public final class AttestCapability implements Capability {
  private final AttestRoutes lila;
  private final AttestApiV1 v1;
  private final JobsetRoutes jobsets;

  private AttestCapability(ServerContext ctx) {
    InputLimits limits = InputLimits.of(ctx.config());
    AttestationService service = new AttestationService(ctx.db(), ctx.blocking(), limits);
    LinkPatterns links = new LinkPatterns(ctx.db());
    OutputVotes votes = new OutputVotes(ctx.db());
    this.lila = new AttestRoutes(service, new AttestationReads(ctx.db()), links, ctx.users(), limits, ctx.writes());
    long challengeTtl = ctx.config().longValue("attest.key_challenge_ttl_seconds", 10, 86_400) * 1000;
    this.v1 = new AttestApiV1(service, votes, lila, new KeyRegistry(ctx.db(), challengeTtl), limits, ctx.writes());
    this.jobsets = new JobsetRoutes(new JobsetService(ctx.db(), service), service, links, votes, lila, v1, limits, ctx.writes());
  }

  public static Future<Capability> create(ServerContext ctx) {
    return Future.succeededFuture(new AttestCapability(ctx));
  }

  @Override
  public void routes(Router router) {
    v1.mount(router, "/api/v1");
    jobsets.mount(router);
    lila.mount(router, "");
    lila.mount(router, "/api");
  }
}
