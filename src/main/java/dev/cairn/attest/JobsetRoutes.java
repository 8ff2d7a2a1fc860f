package dev.cairn.attest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.server.http.HttpErrors;
import dev.cairn.server.http.PathIds;
import dev.cairn.server.http.RawBody;
import dev.cairn.server.http.StrictJson;
import dev.cairn.server.http.Writes;
import dev.cairn.users.Role;
import dev.cairn.users.User;
import dev.cairn.validation.ValidationException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * lila's jobsets and evaluations under {@code /api/} (WIRE.md §4, lila's web/api/jobsets.py and
 * evaluations.py), and what lila lacks under {@code /api/v1/}: a jobset's history (counts per
 * status per evaluation) and, per evaluation, everything a report version has (verdicts with
 * filters and policies, diffs, Frankenbuilds). Writes need a writer's token, checked before the
 * body is read; SBOMs are parsed on the worker pool.
 */
final class JobsetRoutes {
  private static final int MAX_NAME = 200;
  private static final int MAX_DESCRIPTION = 4096;

  private final JobsetService jobsets;
  private final AttestationService service;
  private final LinkPatterns links;
  private final OutputVotes votes;
  private final AttestRoutes lila;
  private final AttestApiV1 v1;
  private final InputLimits limits;
  private final Writes writes;

  JobsetRoutes(JobsetService jobsets, AttestationService service, LinkPatterns links, OutputVotes votes, AttestRoutes lila, AttestApiV1 v1, InputLimits limits, Writes writes) {
    this.jobsets = jobsets;
    this.service = service;
    this.links = links;
    this.votes = votes;
    this.lila = lila;
    this.v1 = v1;
    this.limits = limits;
    this.writes = writes;
  }

  void mount(Router router) {
    io.vertx.core.Handler<RoutingContext> small = writes.body(64 << 10, Role.WRITER);
    io.vertx.core.Handler<RoutingContext> sbom = writes.body(limits.maxReportBytes(), Role.WRITER);
    io.vertx.core.Handler<RoutingContext> noBody = writes.noBody(Role.WRITER);
    router.post("/api/jobsets").handler(small).handler(this::create);
    router.get("/api/jobsets").handler(this::list);
    router.get("/api/jobsets/:id").handler(this::get);
    router.put("/api/jobsets/:id").handler(small).handler(this::update);
    router.delete("/api/jobsets/:id").handler(noBody).handler(this::delete);
    router.post("/api/jobsets/:id/enable").handler(noBody).handler(rc -> enable(rc, true));
    router.post("/api/jobsets/:id/disable").handler(noBody).handler(rc -> enable(rc, false));
    router.get("/api/jobsets/:id/evaluations").handler(this::jobsetEvaluations);
    router.put("/api/jobsets/:id/upload-evaluation").handler(sbom).handler(this::upload);
    router.put("/api/jobsets/:id/upload-evaluation/:rev").handler(sbom).handler(this::upload);
    router.get("/api/evaluations").handler(this::evaluations);
    router.get("/api/evaluations/:id").handler(this::evaluation);
    router.get("/api/evaluations/:id/suggest").handler(this::suggest);

    router.get("/api/v1/jobsets/:id/history").handler(this::history);
    router.get("/api/v1/evaluations/:id").handler(rc -> withTarget(rc, target -> v1.report(rc, target)));
    router.get("/api/v1/evaluations/:id/frankenbuilds").handler(rc -> withTarget(rc, target -> v1.frankenbuilds(rc, target)));
    router.get("/api/v1/evaluations/:id/diff").handler(this::diff);

    router.get("/jobsets").handler(this::jobsetsPage);
    router.get("/jobsets/:id").handler(this::historyPage);
    router.get("/evaluations/:id").handler(this::evaluationPage);
    router.get("/outputs/:output").handler(this::outputPage);
  }

  // ---- JSON ----

  static String iso(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }

  static JsonObject json(JobsetService.Jobset j) {
    return new JsonObject().put("id", j.id()).put("name", j.name()).put("description", j.description().orElse(null))
        .put("flakeref", j.flakeref().orElse(null)).put("enabled", j.enabled())
        .put("created_at", iso(j.createdAt())).put("updated_at", iso(j.updatedAt()));
  }

  static JsonObject json(JobsetService.Evaluation e) {
    return new JsonObject().put("id", e.id()).put("jobset_id", e.jobsetId()).put("uploaded_at", iso(e.uploadedAt())).put("git_revision", e.gitRevision());
  }

  // ---- input ----


  /**
   * A jobset body: {@code name} (required when creating), {@code description} and {@code
   * flakeref} (string or null; lila's Nov 2025 jobsets named a flake, kept and shown only),
   * {@code enabled} (boolean).
   */
  record JobsetFields(Optional<String> name, Optional<Optional<String>> description, Optional<Optional<String>> flakeref,
                      Optional<Boolean> enabled) {
    static JobsetFields parse(Buffer body, boolean creating) {
      JsonNode o = StrictJson.parse(body.getBytes(), "body");
      if (!o.isObject()) {
        throw ValidationException.of("body: must be a JSON object {name, description, enabled}");
      }
      Optional<String> name = Optional.empty();
      JsonNode n = o.get("name");
      if (n != null && !n.isNull()) {
        if (!n.isTextual() || n.asText().isBlank()) {
          throw ValidationException.of("name: must be a non-empty string");
        }
        name = Optional.of(PrintableText.check("name", n.asText(), MAX_NAME));
      } else if (creating) {
        throw ValidationException.of("name: required string");
      }
      Optional<Optional<String>> description = optionalText(o, "description");
      Optional<Optional<String>> flakeref = optionalText(o, "flakeref");
      Optional<Boolean> enabled = Optional.empty();
      JsonNode e = o.get("enabled");
      if (e != null && !e.isNull()) {
        if (!e.isBoolean()) {
          throw ValidationException.of("enabled: must be true or false");
        }
        enabled = Optional.of(e.asBoolean());
      }
      return new JobsetFields(name, description, flakeref, enabled);
    }

    /** Absent: unchanged; null: none; a string: printable text of bounded length. */
    private static Optional<Optional<String>> optionalText(JsonNode o, String field) {
      JsonNode d = o.get(field);
      if (d == null) {
        return Optional.empty();
      }
      if (!d.isNull() && !d.isTextual()) {
        throw ValidationException.of(field + ": must be a string or null");
      }
      return Optional.of(d.isNull() ? Optional.empty() : Optional.of(PrintableText.check(field, d.asText(), MAX_DESCRIPTION)));
    }
  }

  /** An evaluation upload in any of lila's three forms, parsed (on the worker pool). */
  record Upload(String gitRevision, String sbom, ReportDefinition definition) {
    static Upload parse(Buffer body, Optional<String> revision, InputLimits limits) {
      JsonNode o = StrictJson.parse(body.getBytes(), "body");
      if (revision.isPresent()) {
        // ?git_revision= or /upload-evaluation/{rev}: the body is the SBOM itself.
        return new Upload(revision.get(), body.toString(StandardCharsets.UTF_8), ReportDefinition.parse(o, limits, true));
      }
      if (!o.isObject() || o.has("bomFormat")) {
        throw ValidationException.of("git_revision: required (a body {git_revision, definition}, or ?git_revision= with the SBOM as body)");
      }
      JsonNode rev = o.get("git_revision");
      if (rev == null || !rev.isTextual()) {
        throw ValidationException.of("git_revision: required string");
      }
      JsonNode definition = o.get("definition");
      if (definition == null || !definition.isObject()) {
        throw ValidationException.of("definition: required CycloneDX JSON object");
      }
      return new Upload(revision(rev.asText()), definition.toString(), ReportDefinition.parse(definition, limits, true));
    }

    static String revision(String text) {
      if (text.isEmpty() || text.indexOf('/') >= 0) {
        throw ValidationException.of("git_revision: must be 1..200 printable characters without '/'");
      }
      return PrintableText.check("git_revision", text, MAX_NAME);
    }
  }

  // ---- lila's /api/jobsets ----

  private void create(RoutingContext rc) {
    JobsetFields f;
    try {
      f = JobsetFields.parse(RawBody.of(rc), true);
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    jobsets.create(f.name().orElseThrow(), f.description().orElse(Optional.empty()), f.flakeref().orElse(Optional.empty()), f.enabled().orElse(true))
        .onSuccess(j -> AttestRoutes.json(rc, json(j))).onFailure(e -> AttestRoutes.fail(rc, e));
  }

  private void list(RoutingContext rc) {
    jobsets.list().onSuccess(all -> {
      JsonArray out = new JsonArray();
      all.forEach(j -> out.add(json(j)));
      AttestRoutes.json(rc, out);
    }).onFailure(e -> AttestRoutes.fail(rc, e));
  }

  private static void jobsetNotFound(RoutingContext rc) {
    AttestRoutes.detail(rc, 404, "Jobset not found");
  }

  private void get(RoutingContext rc) {
    OptionalLong parsed = PathIds.orAnswer(rc, "id");
    if (parsed.isEmpty()) {
      return;
    }
    long id = parsed.getAsLong();
    jobsets.get(id).onSuccess(j -> {
      if (j.isEmpty()) {
        jobsetNotFound(rc);
      } else {
        AttestRoutes.json(rc, json(j.get()));
      }
    }).onFailure(e -> AttestRoutes.fail(rc, e));
  }

  private void update(RoutingContext rc) {
    long id;
    JobsetFields f;
    try {
      id = PathIds.of(rc, "id");
      f = JobsetFields.parse(RawBody.of(rc), false);
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    answer(rc, jobsets.update(id, f.name(), f.description(), f.flakeref(), f.enabled()));
  }

  private void enable(RoutingContext rc, boolean enabled) {
    OptionalLong parsed = PathIds.orAnswer(rc, "id");
    if (parsed.isEmpty()) {
      return;
    }
    long id = parsed.getAsLong();
    jobsets.update(id, Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(enabled)).onSuccess(j -> {
      if (j.isEmpty()) {
        jobsetNotFound(rc);
      } else {
        AttestRoutes.json(rc, new JsonObject().put("message", enabled ? "Jobset enabled" : "Jobset disabled"));
      }
    }).onFailure(e -> AttestRoutes.fail(rc, e));
  }

  private void answer(RoutingContext rc, Future<Optional<JobsetService.Jobset>> jobset) {
    jobset.onSuccess(j -> {
      if (j.isEmpty()) {
        jobsetNotFound(rc);
      } else {
        AttestRoutes.json(rc, json(j.get()));
      }
    }).onFailure(e -> AttestRoutes.fail(rc, e));
  }

  private void delete(RoutingContext rc) {
    OptionalLong parsed = PathIds.orAnswer(rc, "id");
    if (parsed.isEmpty()) {
      return;
    }
    long id = parsed.getAsLong();
    jobsets.delete(id).onSuccess(deleted -> {
      if (deleted) {
        AttestRoutes.json(rc, new JsonObject().put("message", "Jobset deleted"));
      } else {
        jobsetNotFound(rc);
      }
    }).onFailure(e -> AttestRoutes.fail(rc, e));
  }

  private void jobsetEvaluations(RoutingContext rc) {
    OptionalLong parsed = PathIds.orAnswer(rc, "id");
    if (parsed.isEmpty()) {
      return;
    }
    long id = parsed.getAsLong();
    jobsets.get(id).compose(j -> {
      if (j.isEmpty()) {
        jobsetNotFound(rc);
        return Future.succeededFuture();
      }
      return jobsets.evaluations(Optional.of(id)).onSuccess(all -> AttestRoutes.json(rc, evaluationList(all)));
    }).onFailure(e -> AttestRoutes.fail(rc, e));
  }

  private static JsonArray evaluationList(List<JobsetService.Evaluation> all) {
    JsonArray out = new JsonArray();
    all.forEach(e -> out.add(json(e)));
    return out;
  }

  private void upload(RoutingContext rc) {
    long id;
    Optional<String> revision;
    try {
      id = PathIds.of(rc, "id");
      String fromPath = rc.pathParam("rev");
      String fromQuery = Paging.text(rc, "git_revision");
      revision = Optional.ofNullable(fromPath != null ? fromPath : fromQuery).map(Upload::revision);
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    User user = Writes.user(rc);
    Buffer body = RawBody.of(rc);
    jobsets.get(id).compose(j -> {
      if (j.isEmpty()) {
        jobsetNotFound(rc);
        return Future.succeededFuture();
      }
      // An SBOM may be hundreds of megabytes: parsed on the worker pool.
      return service.cpu(() -> Upload.parse(body, revision, limits))
          .compose(u -> jobsets.upload(j.get(), u.gitRevision(), u.sbom(), u.definition(), user))
          .onSuccess(e -> AttestRoutes.json(rc, json(e)));
    }).onFailure(e -> AttestRoutes.fail(rc, e));
  }

  // ---- lila's /api/evaluations ----

  private void evaluations(RoutingContext rc) {
    jobsets.evaluations(Optional.empty()).onSuccess(all -> AttestRoutes.json(rc, evaluationList(all))).onFailure(e -> AttestRoutes.fail(rc, e));
  }

  /** The evaluation named by {@code :id}, or a 404 already answered (empty). */
  private Future<Optional<JobsetService.Evaluation>> evaluationOf(RoutingContext rc) {
    long id;
    try {
      id = PathIds.of(rc, "id");
    } catch (ValidationException e) {
      return Future.failedFuture(e);
    }
    return jobsets.evaluation(id).map(e -> {
      if (e.isEmpty()) {
        AttestRoutes.detail(rc, 404, "Evaluation not found");
      }
      return e;
    });
  }

  private void evaluation(RoutingContext rc) {
    evaluationOf(rc).compose(e -> e.isEmpty() ? Future.succeededFuture()
        : jobsets.outputPaths(e.get()).onSuccess(paths -> AttestRoutes.json(rc, json(e.get()).put("output_paths", new JsonArray(paths)))))
        .onFailure(e -> AttestRoutes.fail(rc, e));
  }

  /** lila's suggest: public; a token (even one no user has, as lila's tests send) only says whose builds to leave out. */
  private void suggest(RoutingContext rc) {
    evaluationOf(rc).compose(e -> e.isEmpty() ? Future.succeededFuture()
        : Future.all(service.statuses(e.get().versionId()), lila.optionalUser(rc))
            .compose(all -> {
              List<PathStatus> paths = all.resultAt(0);
              Optional<User> caller = all.resultAt(1);
              return service.cpu(() -> Suggestions.pick(paths, caller.map(User::id)));
            })
            .onSuccess(picked -> AttestRoutes.json(rc, AttestRoutes.suggestions(picked))))
        .onFailure(e -> AttestRoutes.fail(rc, e));
  }

  // ---- Cairn's /api/v1 per jobset and evaluation ----

  private void withTarget(RoutingContext rc, java.util.function.Consumer<AttestApiV1.Target> then) {
    OptionalLong parsed = PathIds.orAnswer(rc, "id");
    if (parsed.isEmpty()) {
      return;
    }
    long id = parsed.getAsLong();
    then.accept(target(id));
  }

  private AttestApiV1.Target target(long evaluationId) {
    Future<Optional<AttestationService.ReportVersion>> version = jobsets.evaluation(evaluationId)
        .compose(e -> e.isEmpty() ? Future.succeededFuture(Optional.empty()) : jobsets.version(e.get()).map(Optional::of));
    return new AttestApiV1.Target(version, "evaluation " + evaluationId, "Evaluation not found");
  }

  /**
   * {@code ?against=<evaluation id>}: outputs added, removed and whose status changed from that
   * evaluation to this one (each as it stood when the next version of its jobset was uploaded);
   * {@code ?a=&b=}: two builders on this evaluation.
   */
  private void diff(RoutingContext rc) {
    long id;
    AttestApiV1.Page page;
    Optional<Integer> against;
    try {
      id = PathIds.of(rc, "id");
      page = AttestApiV1.Page.of(rc);
      against = Paging.intParam(rc, "against", 1, Integer.MAX_VALUE);
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    if (v1.builderDiff(rc, target(id), page)) {
      return;
    }
    if (against.isEmpty()) {
      AttestRoutes.detail(rc, 422, "diff: give against=<evaluation id> or a=&b= (builders)");
      return;
    }
    v1.versionDiff(rc, target(against.get()).version(), target(id).version(), false, "Evaluation not found", page,
        l -> "evaluation " + against.get(), r -> "evaluation " + id);
  }

  /**
   * The jobset's history, rendered by {@code render} (JSON or HTML) off the event loop: per
   * evaluation (oldest first, the latest {@code ?limit=}), a summary of its outputs' statuses now.
   */
  private <T> void history(RoutingContext rc, java.util.function.BiFunction<JobsetService.Jobset, List<JobsetViews.Point>, T> render,
                           java.util.function.Consumer<T> answer) {
    long id;
    int limit;
    try {
      id = PathIds.of(rc, "id");
      limit = Paging.intParam(rc, "limit", 1, 1000).orElse(100);
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    jobsets.get(id).compose(j -> {
      if (j.isEmpty()) {
        jobsetNotFound(rc);
        return Future.succeededFuture();
      }
      Future<T> rendered = jobsets.evaluations(Optional.of(id)).compose(all -> {
        List<JobsetService.Evaluation> shown = all.subList(Math.max(0, all.size() - limit), all.size());
        List<Future<List<PathStatus>>> statuses = new ArrayList<>();
        shown.forEach(e -> statuses.add(service.statuses(e.versionId())));
        return Future.all(statuses).compose(done -> service.cpu(() -> {
          List<JobsetViews.Point> points = new ArrayList<>();
          for (int i = 0; i < shown.size(); i++) {
            points.add(new JobsetViews.Point(shown.get(i), ReportViews.Summary.of(done.resultAt(i))));
          }
          return render.apply(j.get(), points);
        }));
      });
      return rendered.onSuccess(answer::accept);
    }).onFailure(e -> AttestRoutes.fail(rc, e));
  }

  private void history(RoutingContext rc) {
    history(rc, (j, points) -> {
      JsonArray evaluations = new JsonArray();
      points.forEach(p -> evaluations.add(historyEntry(p.evaluation(), p.summary())));
      return new JsonObject().put("jobset", json(j)).put("evaluations", evaluations);
    }, body -> AttestRoutes.json(rc, body));
  }

  // ---- HTML pages ----

  private static void html(RoutingContext rc, String page) {
    rc.response().putHeader("Content-Type", "text/html; charset=utf-8").end(page);
  }

  private void jobsetsPage(RoutingContext rc) {
    Future.all(jobsets.list(), jobsets.evaluations(Optional.empty())).compose(all -> {
      List<JobsetService.Jobset> list = all.resultAt(0);
      java.util.Map<Long, JobsetService.Evaluation> latest = new java.util.HashMap<>();
      for (JobsetService.Evaluation e : all.<List<JobsetService.Evaluation>>resultAt(1)) {
        latest.put(e.jobsetId(), e);
      }
      List<Long> ids = new ArrayList<>(latest.keySet());
      List<Future<List<PathStatus>>> statuses = new ArrayList<>();
      ids.forEach(j -> statuses.add(service.statuses(latest.get(j).versionId())));
      return Future.all(statuses).compose(done -> service.cpu(() -> {
        java.util.Map<Long, ReportViews.Summary> summaries = new java.util.HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
          summaries.put(ids.get(i), ReportViews.Summary.of(done.resultAt(i)));
        }
        return JobsetViews.jobsets(list, summaries);
      }));
    }).onSuccess(page -> html(rc, page)).onFailure(e -> AttestRoutes.fail(rc, e));
  }

  private void historyPage(RoutingContext rc) {
    history(rc, JobsetViews::history, page -> html(rc, page));
  }

  /** One evaluation's tree: the report page of its version, titled by jobset and revision. */
  private void evaluationPage(RoutingContext rc) {
    evaluationOf(rc).compose(found -> {
      if (found.isEmpty()) {
        return Future.succeededFuture();
      }
      JobsetService.Evaluation e = found.get();
      return Future.all(jobsets.get(e.jobsetId()), jobsets.version(e), service.statuses(e.versionId()), service.edges(e.versionId()),
              links.all())
          .compose(all -> {
            Optional<JobsetService.Jobset> j = all.resultAt(0);
            AttestationService.ReportVersion v = all.resultAt(1);
            String title = j.map(JobsetService.Jobset::name).orElse("jobset " + e.jobsetId()) + " @ " + e.gitRevision();
            return service.cpu(() -> ReportViews.html(title, v.version(), v.rootRef(), all.resultAt(2), all.resultAt(3), all.resultAt(4), ""));
          })
          .onSuccess(page -> html(rc, page));
    }).onFailure(e -> AttestRoutes.fail(rc, e));
  }

  /** One output's clusters: which builders agree on which hash. */
  private void outputPage(RoutingContext rc) {
    OutputPath path;
    try {
      path = OutputPath.parseBaseName("digest-name", rc.pathParam("output"), true);
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    votes.of(path, false).onSuccess(votes -> html(rc,
            JobsetViews.output(new PathStatus(path.baseName(), path, Optional.empty(), Optional.empty(), votes))))
        .onFailure(e -> AttestRoutes.fail(rc, e));
  }

  /** One evaluation's counts: per status label, and the three a chart shows. */
  static JsonObject historyEntry(JobsetService.Evaluation e, ReportViews.Summary s) {
    JsonObject byLabel = new JsonObject();
    s.counts().forEach((status, n) -> byLabel.put(status.label(), n));
    return json(e).put("total", s.total()).put("counts", byLabel).put("reproducible", s.counts().get(Status.REPRODUCED))
        .put("not_reproducible", s.notReproducible()).put("unchecked", s.notFullyChecked());
  }
}
