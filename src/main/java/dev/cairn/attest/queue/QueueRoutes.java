package dev.cairn.attest.queue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.server.http.HttpErrors;
import dev.cairn.server.http.PathIds;
import dev.cairn.server.http.JsonError;
import dev.cairn.server.http.RawBody;
import dev.cairn.server.http.StrictJson;
import dev.cairn.server.http.Writes;
import dev.cairn.users.Role;
import dev.cairn.validation.ValidationException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiFunction;

/** The rebuild queue's HTTP API under /api/v1/queue: parse, call {@link RebuildQueue}, render. */
final class QueueRoutes {
  /** Bodies here are a few fields. */
  private static final long MAX_BODY = 4096;
  /** Jobset priorities: higher pops first. */
  static final int MAX_PRIORITY = 1_000_000;

  private final RebuildQueue queue;
  private final Writes writes;

  QueueRoutes(RebuildQueue queue, Writes writes) {
    this.queue = queue;
    this.writes = writes;
  }

  void mount(Router router, String prefix) {
    router.get(prefix).handler(this::counts);
    router.post(prefix + "/pop").handler(writes.body(MAX_BODY, Role.WRITER)).handler(this::pop);
    router.post(prefix + "/:id/ping").handler(writes.noBody(Role.WRITER)).handler(this::ping);
    router.post(prefix + "/:id/fail").handler(writes.noBody(Role.WRITER)).handler(this::fail);
    router.put(prefix + "/jobsets/:id/priority").handler(writes.body(MAX_BODY, Role.ADMIN)).handler(this::priority);
  }

  private static void json(RoutingContext rc, JsonObject body) {
    rc.response().putHeader("Content-Type", "application/json").end(body.encode());
  }

  private void counts(RoutingContext rc) {
    queue.counts().onSuccess(c -> json(rc, new JsonObject().put("queued", c.queued()).put("leased", c.leased()).put("done", c.done())
            .put("lease_seconds", queue.leaseMillis() / 1000)))
        .onFailure(e -> HttpErrors.answer(rc, e));
  }

  static JsonObject jobJson(RebuildQueue.Job j) {
    return new JsonObject().put("id", j.id()).put("drv_path", j.drvPath()).put("system", j.system().orElse(null)).put("outputs", new JsonArray(j.outputs()))
        .put("priority", j.priority()).put("lease_expires_at", j.leaseExpiresAt());
  }

  private void pop(RoutingContext rc) {
    RebuildQueue.Pop pop;
    try {
      pop = PopRequest.parse(RawBody.of(rc).getBytes());
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    long builder = Writes.user(rc).id();
    Future<Optional<Long>> jobset = pop.jobset().isPresent() ? queue.jobsetId(pop.jobset().get()) : Future.succeededFuture(Optional.empty());
    jobset.compose(id -> {
      if (pop.jobset().isPresent() && id.isEmpty()) {
        return JsonError.send(rc.response(), 404, "Jobset not found");
      }
      return queue.pop(builder, pop, id).map(jobs -> {
        JsonArray out = new JsonArray();
        jobs.forEach(j -> out.add(jobJson(j)));
        json(rc, new JsonObject().put("jobs", out));
        return null;
      });
    }).onFailure(e -> HttpErrors.answer(rc, e));
  }


  private void ping(RoutingContext rc) {
    holder(rc, queue::ping, (id, r) -> new JsonObject().put("id", id).put("lease_expires_at", r.leaseExpiresAt().orElseThrow()));
  }

  private void fail(RoutingContext rc) {
    holder(rc, queue::fail, (id, r) -> new JsonObject().put("id", id).put("released", true));
  }

  /** A request only the job's lease holder may make: its answer, or 404 / 403 / 409 saying why not. */
  private void holder(RoutingContext rc, BiFunction<Long, Long, Future<RebuildQueue.LeaseResult>> action,
                      BiFunction<Long, RebuildQueue.LeaseResult, JsonObject> answer) {
    OptionalLong parsed = PathIds.orAnswer(rc, "id");
    if (parsed.isEmpty()) {
      return;
    }
    long id = parsed.getAsLong();
    action.apply(id, Writes.user(rc).id()).onSuccess(r -> {
      if (r.refusal().isEmpty()) {
        json(rc, answer.apply(id, r));
        return;
      }
      switch (r.refusal().get()) {
        case NO_SUCH_JOB -> JsonError.send(rc.response(), 404, "Job not found");
        case LEASED_BY_ANOTHER -> JsonError.send(rc.response(), 403, "job " + id + " is leased by another builder");
        case NOT_LEASED -> JsonError.send(rc.response(), 409, "job " + id + " is not leased to you (completed, or the lease expired): pop again");
      }
    }).onFailure(e -> HttpErrors.answer(rc, e));
  }

  private void priority(RoutingContext rc) {
    long id;
    int priority;
    try {
      id = PathIds.of(rc, "id");
      JsonNode o = StrictJson.parse(RawBody.of(rc).getBytes(), "body");
      JsonNode p = o.isObject() && o.size() == 1 ? o.get("priority") : null;
      if (p == null || !p.isIntegralNumber() || !p.canConvertToInt() || Math.abs(p.asInt()) > MAX_PRIORITY) {
        throw ValidationException.of("priority: body must be {\"priority\": an integer from -" + MAX_PRIORITY + " to " + MAX_PRIORITY + "}");
      }
      priority = p.asInt();
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    queue.setPriority(id, priority).onSuccess(found -> {
      if (!found) {
        JsonError.send(rc.response(), 404, "Jobset not found");
      } else {
        json(rc, new JsonObject().put("jobset_id", id).put("priority", priority));
      }
    }).onFailure(e -> HttpErrors.answer(rc, e));
  }
}
