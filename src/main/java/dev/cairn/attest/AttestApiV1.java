package dev.cairn.attest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.nix.StorePath;
import dev.cairn.server.http.HttpErrors;
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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/** Cairn's own attestation API: verdicts with filters and policies, diffs, batch ingestion, keys. */
final class AttestApiV1 {
  private final AttestationService service;
  private final OutputVotes votes;
  private final AttestRoutes lila;
  private final KeyRegistry keys;
  private final InputLimits limits;
  private final Writes writes;

  AttestApiV1(AttestationService service, OutputVotes votes, AttestRoutes lila, KeyRegistry keys, InputLimits limits, Writes writes) {
    this.service = service;
    this.votes = votes;
    this.lila = lila;
    this.keys = keys;
    this.limits = limits;
    this.writes = writes;
  }

  void mount(Router router, String prefix) {
    router.post(prefix + "/attestations").handler(writes.body(limits.maxBatchBytes(), Role.WRITER)).handler(this::batch);
    router.post(prefix + "/keys/challenge").handler(writes.noBody(Role.WRITER)).handler(this::challenge);
    router.post(prefix + "/keys").handler(writes.body(64 << 10, Role.WRITER)).handler(this::addKey);
    router.get(prefix + "/reports/:name").handler(this::report);
    router.get(prefix + "/reports/:name/diff").handler(this::diff);
    router.get(prefix + "/reports/:name/frankenbuilds").handler(this::frankenbuilds);
    router.get(prefix + "/outputs/:output").handler(this::output);
  }

  /**
   * A JSON array, or NDJSON (one entry per line), of {@code {drv_ident, outputs: [...]}}; at
   * most {@code attest.max_batch_entries} entries, counted before the entries are parsed whole.
   */
  static List<AttestationService.Entry> parseBatch(byte[] body, InputLimits limits) {
    int first = 0;
    while (first < body.length && Character.isWhitespace(body[first])) {
      first++;
    }
    List<JsonNode> entries = new ArrayList<>();
    if (first < body.length && body[first] == '[') {
      entries = StrictJson.arrayElements(body, "body", limits.maxBatchEntries());
      if (entries.size() > limits.maxBatchEntries()) {
        throw tooMany(limits);
      }
    } else {
      String[] lines = new String(body, StandardCharsets.UTF_8).split("\n");
      long nonBlank = java.util.Arrays.stream(lines).filter(l -> !l.isBlank()).count();
      if (nonBlank > limits.maxBatchEntries()) {
        throw tooMany(limits);
      }
      for (int i = 0; i < lines.length; i++) {
        if (!lines[i].isBlank()) {
          entries.add(StrictJson.parse(lines[i], "line " + (i + 1)));
        }
      }
    }
    if (entries.isEmpty()) {
      throw ValidationException.of("body: no entries");
    }
    List<AttestationService.Entry> out = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      JsonNode e = entries.get(i);
      String where = "entries[" + i + "]";
      if (!e.isObject()) {
        throw ValidationException.of(where + ": must be an object");
      }
      JsonNode drv = e.has("drv_ident") ? e.get("drv_ident") : e.get("drv_path");
      if (drv == null || !drv.isTextual()) {
        throw ValidationException.of(where + ".drv_ident: required string");
      }
      DrvIdent ident;
      try {
        ident = DrvIdent.parse(drv.asText());
      } catch (ValidationException ex) {
        throw ValidationException.of(where + "." + ex.getMessage());
      }
      out.add(new AttestationService.Entry(ident, OutputAttestation.listFromJson(e.get("outputs"), where + ".outputs", limits)));
    }
    return out;
  }

  private static LimitExceededException tooMany(InputLimits limits) {
    return new LimitExceededException(413, "entries: more than " + limits.maxBatchEntries()
        + " entries in one batch (attest.max_batch_entries); split it into several requests");
  }

  private void batch(RoutingContext rc) {
    io.vertx.core.buffer.Buffer body = RawBody.of(rc);
    if (body.length() == 0) {
      AttestRoutes.detail(rc, 422, "body: required");
      return;
    }
    // A batch may be megabytes of JSON: parse it on the worker pool (the caller is authenticated by now).
    service.cpu(() -> parseBatch(body.getBytes(), limits)).onComplete(parsed -> {
      if (parsed.failed()) {
        AttestRoutes.fail(rc, parsed.cause());
        return;
      }
      List<AttestationService.Entry> entries = parsed.result();
      service.ingestBatch(Writes.user(rc), entries).onSuccess(n -> AttestRoutes.json(rc,
              new JsonObject().put("accepted", n).put("derivations", entries.size())))
          .onFailure(e -> AttestRoutes.fail(rc, e));
    });
  }

  private void challenge(RoutingContext rc) {
    keys.challenge(Writes.user(rc)).onSuccess(c -> AttestRoutes.json(rc,
            new JsonObject().put("challenge", c.text()).put("expires_at", c.expiresAtMillis())))
        .onFailure(e -> AttestRoutes.fail(rc, e));
  }

  /** A key registration: the public key and its signature over a challenge from {@link #challenge}. */
  record KeyRegistration(dev.cairn.nix.PublicKey key, String challenge, dev.cairn.nix.Signature signature) {
    static KeyRegistration parse(io.vertx.core.buffer.Buffer body) {
      JsonNode o = StrictJson.parse(body.getBytes(), "body");
      if (!o.isObject()) {
        throw ValidationException.of("body: must be a JSON object {public_key, challenge, signature}");
      }
      dev.cairn.nix.PublicKey key = AttestRoutes.parseKey(text(o, "public_key"));
      String challenge = text(o, "challenge");
      dev.cairn.nix.Signature signature;
      try {
        signature = dev.cairn.nix.Signature.parse(text(o, "signature"));
      } catch (ValidationException e) {
        throw ValidationException.of("signature: " + e.getMessage());
      }
      return new KeyRegistration(key, challenge, signature);
    }

    private static String text(JsonNode o, String field) {
      JsonNode node = o.get(field);
      String s = node != null && node.isTextual() ? node.asText() : "";
      if (s.isEmpty()) {
        throw ValidationException.of(field + ": required string" + ("challenge".equals(field)
            ? " (get one from POST /api/v1/keys/challenge and sign it with the key)" : ""));
      }
      if (s.length() > 1024) {
        throw ValidationException.of(field + ": at most 1024 characters");
      }
      return PrintableText.check(field, s, 1024);
    }
  }

  private void addKey(RoutingContext rc) {
    KeyRegistration reg;
    try {
      reg = KeyRegistration.parse(RawBody.of(rc));
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    keys.register(Writes.user(rc), reg.key(), reg.challenge(), reg.signature())
        .onSuccess(v -> AttestRoutes.json(rc, new JsonObject().put("key", reg.key().toString())))
        .onFailure(e -> AttestRoutes.fail(rc, e));
  }

  /** A report version's paths, seen through the request's filters. */
  record Filtered(int version, List<PathStatus> paths) {}

  /** The requested vote filters: {@code ?builders=a,b} and {@code ?verified=true}. */
  record Filters(Set<String> builders, boolean verifiedOnly) {
    static Filters of(RoutingContext rc) {
      return new Filters(Optional.ofNullable(Paging.text(rc, "builders")).map(AttestRoutes::splitNames).orElse(Set.of()),
          Paging.bool(rc, "verified"));
    }
  }

  /** The report version's paths through the filters. */
  private Future<Filtered> filtered(Filters filters, AttestationService.ReportVersion r, boolean includeRevoked) {
    Set<String> builders = filters.builders();
    boolean verifiedOnly = filters.verifiedOnly();
    Predicate<Vote> keep = v -> (builders.isEmpty() || builders.contains(v.builder())) && (!verifiedOnly || v.sigStatus() == SigStatus.VERIFIED);
    boolean unfiltered = builders.isEmpty() && !verifiedOnly;
    return service.statuses(r.id(), includeRevoked).compose(paths -> unfiltered ? Future.succeededFuture(new Filtered(r.version(), paths))
        : service.cpu(() -> new Filtered(r.version(), paths.stream().map(p -> p.only(keep)).toList())));
  }

  /** How a report route names the version it shows, and the 404 when there is none. */
  record Target(Future<Optional<AttestationService.ReportVersion>> version, String label, String notFound) {}

  private Target reportTarget(RoutingContext rc) {
    String name = AttestRoutes.reportName(rc);
    return new Target(service.report(name, Paging.intParam(rc, "version", 1, Integer.MAX_VALUE)), name, "Report not found");
  }

  private void report(RoutingContext rc) {
    Target target;
    try {
      target = reportTarget(rc);
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    report(rc, target);
  }

  /** Statuses and clusters of the target version, with {@code ?builders=&verified=&policy=&include_revoked=}. */
  void report(RoutingContext rc, Target target) {
    Optional<Policy> policy;
    boolean includeRevoked;
    Filters filters;
    try {
      filters = Filters.of(rc);
      policy = Optional.ofNullable(Paging.text(rc, "policy")).map(Policy::parse);
      includeRevoked = Paging.bool(rc, "include_revoked");
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    target.version().compose(r -> {
      if (r.isEmpty()) {
        AttestRoutes.detail(rc, 404, target.notFound());
        return Future.succeededFuture();
      }
      return filtered(filters, r.get(), includeRevoked)
          .compose(f -> service.cpu(() -> ReportJson.render(target.label(), f.version(), f.paths(), policy)))
          .onSuccess(body -> rc.response().putHeader("Content-Type", "application/json").end(body));
    }).onFailure(e -> AttestRoutes.fail(rc, e));
  }

  /** One page of a diff: {@code limit}, {@code offset}, and whether revoked builders' votes count. */
  record Page(int limit, int offset, boolean includeRevoked) {
    static Page of(RoutingContext rc) {
      return new Page(Paging.intParam(rc, "limit", 1, Paging.MAX_LIMIT).orElse(100), Paging.intParam(rc, "offset", 0, Integer.MAX_VALUE).orElse(0),
          Paging.bool(rc, "include_revoked"));
    }
  }

  private void diff(RoutingContext rc) {
    String name;
    Page page;
    try {
      name = AttestRoutes.reportName(rc);
      page = Page.of(rc);
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    if (builderDiff(rc, new Target(service.report(name, Optional.empty()), name, "Report not found"), page)) {
      return;
    }
    versionDiff(rc, name, page);
  }

  /** {@code ?a=&b=}: two builders on the target version; false (nothing answered) when neither is given. */
  boolean builderDiff(RoutingContext rc, Target target, Page page) {
    String a;
    String b;
    Filters filters;
    try {
      a = Paging.text(rc, "a");
      b = Paging.text(rc, "b");
      filters = Filters.of(rc);
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return true;
    }
    if (a == null && b == null) {
      return false;
    }
    if (a == null || b == null) {
      AttestRoutes.detail(rc, 422, (a == null ? "a" : "b") + ": both builders a and b are required");
      return true;
    }
    target.version().compose(r -> {
      if (r.isEmpty()) {
        AttestRoutes.detail(rc, 404, target.notFound());
        return Future.succeededFuture();
      }
      return filtered(filters, r.get(), page.includeRevoked())
          .compose(f -> service.cpu(() -> ReportDiff.builders(f.paths(), a, b, page.limit(), page.offset())))
          .onSuccess(body -> AttestRoutes.json(rc, body));
    }).onFailure(e -> AttestRoutes.fail(rc, e));
    return true;
  }

  /**
   * Between two versions (or against another report): paths added, removed, and whose status
   * changed. Each version's statuses are taken as they stood when it was superseded (the
   * latest version's: now), which is what a release manager compares.
   */
  private void versionDiff(RoutingContext rc, String name, Page page) {
    Optional<Integer> from;
    Optional<Integer> to;
    String against;
    try {
      from = Paging.intParam(rc, "from", 1, Integer.MAX_VALUE);
      to = Paging.intParam(rc, "to", 1, Integer.MAX_VALUE);
      // A report name, like the path's: it is looked up in the database.
      against = Paging.text(rc, "against");
      if (against != null && (against.isEmpty() || against.length() > 200 || against.indexOf('/') >= 0)) {
        throw ValidationException.of("against: report names are 1..200 characters without '/' or control characters");
      }
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    if (against == null && from.isEmpty()) {
      AttestRoutes.detail(rc, 422, "diff: give a=&b= (builders), from=&to= (versions) or against= (another report)");
      return;
    }
    Future<Optional<AttestationService.ReportVersion>> left = against != null ? service.report(against, Optional.empty())
        : service.report(name, from);
    versionDiff(rc, left, service.report(name, to), against != null, "Report not found", page,
        l -> against != null ? against : name + "@" + l.version(), r -> name + "@" + r.version());
  }

  /** Added / removed / status changed from {@code left} to {@code right}; {@code leftNow}: the left side's statuses as they are now. */
  void versionDiff(RoutingContext rc, Future<Optional<AttestationService.ReportVersion>> left, Future<Optional<AttestationService.ReportVersion>> right,
                   boolean leftNow, String notFound, Page page, java.util.function.Function<AttestationService.ReportVersion, String> leftLabel,
                   java.util.function.Function<AttestationService.ReportVersion, String> rightLabel) {
    Future.all(left, right).compose(all -> {
      Optional<AttestationService.ReportVersion> l = all.resultAt(0);
      Optional<AttestationService.ReportVersion> r = all.resultAt(1);
      if (l.isEmpty() || r.isEmpty()) {
        AttestRoutes.detail(rc, 404, notFound);
        return Future.succeededFuture();
      }
      return Future.all(service.statuses(l.get().id(), page.includeRevoked()), service.statuses(r.get().id(), page.includeRevoked()),
              leftNow ? Future.succeededFuture(Long.MAX_VALUE) : service.endOf(l.get()), service.endOf(r.get()))
          .compose(st -> service.cpu(() -> ReportDiff.versions(st.resultAt(0), st.resultAt(2), st.resultAt(1), st.resultAt(3),
              leftLabel.apply(l.get()), rightLabel.apply(r.get()), page.limit(), page.offset())))
          .onSuccess(body -> AttestRoutes.json(rc, body));
    }).onFailure(e -> AttestRoutes.fail(rc, e));
  }

  private void frankenbuilds(RoutingContext rc) {
    String name;
    try {
      name = AttestRoutes.reportName(rc);
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    frankenbuilds(rc, new Target(service.report(name, Optional.empty()), name, "Report not found"));
  }

  /** The target version's paths whose dependency closure (per the SBOM) holds a path builders disagree on. */
  void frankenbuilds(RoutingContext rc, Target target) {
    boolean includeRevoked;
    try {
      includeRevoked = Paging.bool(rc, "include_revoked");
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    target.version().compose(r -> {
      if (r.isEmpty()) {
        AttestRoutes.detail(rc, 404, target.notFound());
        return Future.succeededFuture();
      }
      return Future.all(service.statuses(r.get().id(), includeRevoked), service.edges(r.get().id()))
          .compose(all -> service.cpu(() -> {
            JsonArray out = new JsonArray();
            for (Frankenbuilds.Exposure x : Frankenbuilds.of(all.resultAt(0), all.resultAt(1))) {
              PathStatus p = x.path();
              out.add(new JsonObject().put("path", p == null ? x.ref() : p.path().fullPath()).put("status", p == null ? null : p.status().label())
                  .put("depends_on_disagreeing", new JsonArray(new ArrayList<>(x.culprits()))).put("more", x.more()));
            }
            return new JsonObject().put("report", target.label()).put("count", out.size()).put("paths", out);
          }))
          .onSuccess(body -> AttestRoutes.json(rc, body));
    }).onFailure(e -> AttestRoutes.fail(rc, e));
  }

  private void output(RoutingContext rc) {
    OutputPath path;
    boolean includeRevoked;
    try {
      path = OutputPath.of(StorePath.parseBaseName(rc.pathParam("output")));
    } catch (ValidationException e) {
      HttpErrors.answer(rc, new ValidationException("digest-name", e.getMessage(), e));
      return;
    }
    try {
      includeRevoked = Paging.bool(rc, "include_revoked");
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    votes.of(path, includeRevoked).onSuccess(votes -> {
      if (votes.isEmpty()) {
        AttestRoutes.detail(rc, 404, "Not found");
        return;
      }
      rc.response().putHeader("Content-Type", "application/json")
          .end(ReportJson.path(new PathStatus(path.baseName(), path, Optional.empty(), Optional.empty(), votes)));
    }).onFailure(e -> AttestRoutes.fail(rc, e));
  }
}
