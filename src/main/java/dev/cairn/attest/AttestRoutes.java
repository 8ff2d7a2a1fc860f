package dev.cairn.attest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.nix.PublicKey;
import dev.cairn.server.http.BearerToken;
import dev.cairn.server.http.HttpErrors;
import dev.cairn.server.http.RawBody;
import dev.cairn.server.http.StrictJson;
import dev.cairn.server.http.Writes;
import dev.cairn.users.Role;
import dev.cairn.users.User;
import dev.cairn.users.UserService;
import dev.cairn.validation.ValidationException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * lila's hash-collection routes (WIRE.md §4), served at the root and again under /api/, so
 * lila's hook, rebuilder and scripts work unchanged. Each handler parses, calls the
 * service and renders. Unlike lila (which validates a body before the token), every write
 * authenticates and checks the role first through {@link Writes}: an anonymous client gets
 * 401, a reader 403, before the body is read. Like lila, these routes take the placeholder
 * values lila's own tests post ({@link OutputPath.Placeholder}, {@link OutputHash.Verbatim}, a
 * signature that is not a Nix one, {@link DrvIdent#lenient}); {@code /api/v1} stays strict.
 */
final class AttestRoutes {
  private static final int PAGE = 1000;

  private final AttestationService service;
  private final LinkPatterns links;
  private final AttestationReads reads;
  private final UserService users;
  private final InputLimits limits;
  private final Writes writes;

  AttestRoutes(AttestationService service, AttestationReads reads, LinkPatterns links, UserService users, InputLimits limits, Writes writes) {
    this.service = service;
    this.links = links;
    this.reads = reads;
    this.users = users;
    this.limits = limits;
    this.writes = writes;
  }

  void mount(Router router, String prefix) {
    io.vertx.core.Handler<RoutingContext> small = writes.body(8L << 20, Role.WRITER);
    io.vertx.core.Handler<RoutingContext> large = writes.body(limits.maxReportBytes(), Role.WRITER);
    router.post(prefix + "/attestation/:drv").handler(small).handler(this::postAttestation);
    router.get(prefix + "/attestations/by-output/:output").handler(this::byOutput);
    router.get(prefix + "/derivations/").handler(this::derivations);
    router.get(prefix + "/derivations").handler(this::derivations);
    router.get(prefix + "/derivations/:drv").handler(this::derivation);
    router.get(prefix + "/reports").handler(this::reports);
    router.get(prefix + "/reports/").handler(this::reports);
    router.put(prefix + "/reports/:name").handler(large).handler(this::putReport);
    router.get(prefix + "/reports/:name").handler(this::getReport);
    router.get(prefix + "/reports/:name/suggest").handler(rc -> suggest(rc, false));
    router.get(prefix + "/reports/:name/suggested").handler(rc -> suggest(rc, true));
    router.get(prefix + "/link_patterns").handler(this::linkPatterns);
    router.post(prefix + "/link_patterns").handler(writes.noBody(Role.ADMIN)).handler(this::addLinkPattern);
    router.delete(prefix + "/link_patterns").handler(writes.noBody(Role.ADMIN)).handler(this::deleteLinkPattern);
    router.get(prefix + "/signatures/:user/:file").handler(this::signature);
  }

  // ---- helpers ----

  static void detail(RoutingContext rc, int status, String message) {
    rc.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("detail", message).encode());
  }

  static void json(RoutingContext rc, Object body) {
    rc.response().putHeader("Content-Type", "application/json").end(body instanceof JsonObject o ? o.encode()
        : body instanceof JsonArray a ? a.encode() : io.vertx.core.json.Json.encode(body));
  }

  /** Answers a failed future (or a parser's error) through the one HTTP error map, {@link HttpErrors}. */
  static void fail(RoutingContext rc, Throwable e) {
    HttpErrors.answer(rc, e);
  }

  Future<Optional<User>> optionalUser(RoutingContext rc) {
    return users.authenticate(BearerToken.of(rc.request()).orElse(null));
  }

  static JsonNode parseJson(RoutingContext rc) {
    return StrictJson.parse(RawBody.of(rc).getBytes(), "body");
  }

  static JsonObject attestationJson(AttestationReads.AttestationRow a) {
    return new JsonObject().put("id", a.id()).put("output_digest", a.path().hashPart()).put("output_name", a.path().name())
        .put("output_path", a.path().fullPath()).put("user_id", a.userId()).put("drv_id", a.drvId()).put("output_hash", a.hash())
        .put("output_sig", a.sig());
  }

  static String reportName(RoutingContext rc) {
    String name = rc.pathParam("name");
    if (name == null || name.isEmpty() || name.length() > 200 || name.indexOf('/') >= 0) {
      throw ValidationException.of("name: report names are 1..200 characters without '/' or control characters");
    }
    return PrintableText.check("name", name, 200);
  }

  // ---- handlers ----

  private void postAttestation(RoutingContext rc) {
    DrvIdent drv;
    List<OutputAttestation> outputs;
    try {
      drv = DrvIdent.lenient(rc.pathParam("drv"));
      outputs = OutputAttestation.listFromJson(parseJson(rc), "body", limits, true);
    } catch (ValidationException e) {
      fail(rc, e);
      return;
    }
    service.ingest(Writes.user(rc), drv, outputs).onSuccess(v -> json(rc, new JsonArray().add("Attestation accepted")))
        .onFailure(e -> fail(rc, e));
  }

  /** Everything (one output has a handful of rows) or, with {@code ?limit=&after=}, a page in id order. */
  private void byOutput(RoutingContext rc) {
    OutputPath path;
    Optional<Integer> limit;
    long after;
    boolean includeRevoked;
    try {
      path = OutputPath.parseBaseName("digest-name", rc.pathParam("output"), true);
      limit = Paging.limit(rc);
      after = Paging.after(rc);
      includeRevoked = Paging.bool(rc, "include_revoked");
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    boolean paged = limit.isPresent() || rc.queryParams().contains("after");
    (paged ? reads.byOutput(path, after, limit.orElse(Paging.MAX_LIMIT), includeRevoked) : reads.byOutput(path, includeRevoked)).onSuccess(rows -> {
      JsonArray out = new JsonArray();
      rows.forEach(a -> out.add(attestationJson(a)));
      json(rc, out);
    }).onFailure(e -> fail(rc, e));
  }

  /** Everything when no {@code limit} is given, streamed a page at a time; else one page after {@code after}. */
  private void derivations(RoutingContext rc) {
    Optional<Integer> limit;
    long after;
    try {
      limit = Paging.limit(rc);
      after = Paging.after(rc);
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    if (limit.isPresent()) {
      reads.derivations(after, limit.get()).onSuccess(rows -> {
        JsonArray out = new JsonArray();
        rows.forEach(d -> out.add(new JsonObject().put("id", d.id()).put("drv_hash", d.ident())));
        json(rc, out);
      }).onFailure(e -> fail(rc, e));
      return;
    }
    HttpServerResponse response = rc.response().setChunked(true).putHeader("Content-Type", "application/json");
    response.write("[");
    streamDerivations(rc, response, after, true);
  }

  private void streamDerivations(RoutingContext rc, HttpServerResponse response, long after, boolean first) {
    reads.derivations(after, PAGE).onSuccess(rows -> {
      StringBuilder b = new StringBuilder();
      boolean f = first;
      for (AttestationReads.DerivationRow d : rows) {
        b.append(f ? "" : ",").append(new JsonObject().put("id", d.id()).put("drv_hash", d.ident()).encode());
        f = false;
      }
      boolean last = rows.size() < PAGE;
      Future<Void> written = response.write(b.toString());
      if (last) {
        response.end("]");
      } else {
        boolean nextFirst = f;
        long nextAfter = rows.get(rows.size() - 1).id();
        written.onComplete(x -> streamDerivations(rc, response, nextAfter, nextFirst));
      }
    }).onFailure(e -> response.reset());
  }

  private void derivation(RoutingContext rc) {
    DrvIdent drv;
    try {
      drv = DrvIdent.lenient(rc.pathParam("drv"));
    } catch (ValidationException e) {
      detail(rc, 404, "Not found");
      return;
    }
    boolean full;
    boolean includeRevoked;
    try {
      full = Paging.bool(rc, "full");
      includeRevoked = Paging.bool(rc, "include_revoked");
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    reads.byDerivation(drv, includeRevoked).onSuccess(rows -> {
      if (rows.isEmpty()) {
        reads.derivationExists(drv).onSuccess(exists -> {
          if (exists) {
            json(rc, full ? new JsonArray() : new JsonObject());
          } else {
            detail(rc, 404, "Not found");
          }
        }).onFailure(e -> fail(rc, e));
        return;
      }
      if (full) {
        JsonArray out = new JsonArray();
        rows.forEach(a -> out.add(attestationJson(a)));
        json(rc, out);
        return;
      }
      // Per output path, per hash: the attestations received, as lila counts them (every POST;
      // see V016's attestations.reports). Verdicts elsewhere count a builder once.
      java.util.Map<String, JsonObject> counts = new java.util.TreeMap<>();
      for (AttestationReads.AttestationRow a : rows) {
        JsonObject byHash = counts.computeIfAbsent(a.path().fullPath(), k -> new JsonObject());
        byHash.put(a.hash(), byHash.getLong(a.hash(), 0L) + a.reports());
      }
      JsonObject out = new JsonObject();
      counts.forEach(out::put);
      json(rc, out);
    }).onFailure(e -> fail(rc, e));
  }

  private void reports(RoutingContext rc) {
    service.reportNames().onSuccess(names -> {
      String accept = rc.request().getHeader("Accept");
      if (accept != null && accept.contains("text/html")) {
        rc.response().putHeader("Content-Type", "text/html; charset=utf-8").end(ReportViews.reportList(names));
      } else {
        json(rc, new JsonArray(new ArrayList<>(names)));
      }
    }).onFailure(e -> fail(rc, e));
  }

  private void putReport(RoutingContext rc) {
    String name;
    try {
      name = reportName(rc);
    } catch (ValidationException e) {
      fail(rc, e);
      return;
    }
    io.vertx.core.buffer.Buffer body = RawBody.of(rc);
    // An SBOM may be hundreds of megabytes: parsed on the worker pool, like a batch.
    service.cpu(() -> ReportDefinition.parse(StrictJson.parse(body.getBytes(), "body"), limits, true))
        .compose(def -> service.defineReport(name, body.toString(StandardCharsets.UTF_8), def, Optional.of(Writes.user(rc))))
        .onSuccess(v -> json(rc, new JsonArray().add("Report defined")))
        .onFailure(e -> fail(rc, e));
  }

  private void getReport(RoutingContext rc) {
    String name;
    Optional<Integer> version;
    try {
      name = reportName(rc);
      version = Paging.intParam(rc, "version", 1, Integer.MAX_VALUE);
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    String accept = Optional.ofNullable(rc.request().getHeader("Accept")).orElse("");
    service.report(name, version).onSuccess(report -> {
      if (report.isEmpty()) {
        detail(rc, 404, "Report not found");
        return;
      }
      AttestationService.ReportVersion r = report.get();
      if (accept.contains("application/vnd.cyclonedx+json")) {
        rc.response().putHeader("Content-Type", "application/vnd.cyclonedx+json").end(r.sbom());
        return;
      }
      boolean html = accept.contains("text/html");
      Future.all(service.statuses(r.id()), service.edges(r.id()), html ? links.all() : Future.succeededFuture(List.of()))
          .compose(all -> {
            List<PathStatus> paths = all.resultAt(0);
            List<ReportDefinition.Edge> edges = all.resultAt(1);
            String prefix = rc.request().path().startsWith("/api/") ? "/api" : "";
            List<LinkPattern> patterns = all.resultAt(2);
            // Rendering tens of thousands of paths is CPU work: off the event loop.
            return service.cpu(() -> html ? ReportViews.html(r.name(), r.version(), r.rootRef(), paths, edges, patterns, prefix)
                : ReportViews.textTree(r.name(), r.rootRef(), paths, edges));
          })
          .onSuccess(page -> rc.response().putHeader("Content-Type", html ? "text/html; charset=utf-8" : "text/plain; charset=utf-8").end(page))
          .onFailure(e -> fail(rc, e));
    }).onFailure(e -> fail(rc, e));
  }

  /** lila's suggest/suggested: see {@link Suggestions}. */
  private void suggest(RoutingContext rc, boolean pathsOnly) {
    String name;
    try {
      name = reportName(rc);
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    Future.all(service.report(name, Optional.empty()), optionalUser(rc)).compose(all -> {
      Optional<AttestationService.ReportVersion> report = all.resultAt(0);
      Optional<User> caller = all.resultAt(1);
      if (report.isEmpty()) {
        detail(rc, 404, "Report not found");
        return Future.succeededFuture();
      }
      return service.statuses(report.get().id())
          .compose(paths -> service.cpu(() -> Suggestions.pick(paths, caller.map(User::id))))
          .onSuccess(picked -> {
            if (pathsOnly) {
              JsonArray out = new JsonArray();
              picked.forEach(p -> out.add(p.path().fullPath()));
              json(rc, out);
            } else {
              json(rc, suggestions(picked));
            }
          });
    }).onFailure(e -> fail(rc, e));
  }

  /** lila's suggestion objects: {@code {out_path, drv_path, output}}. */
  static JsonArray suggestions(List<PathStatus> picked) {
    JsonArray out = new JsonArray();
    for (PathStatus p : picked) {
      JsonObject o = new JsonObject().put("out_path", p.path().fullPath());
      p.drvPath().ifPresent(d -> o.put("drv_path", d));
      p.output().ifPresent(d -> o.put("output", d));
      out.add(o);
    }
    return out;
  }

  private void linkPatterns(RoutingContext rc) {
    links.all().onSuccess(list -> {
      JsonArray out = new JsonArray();
      list.forEach(p -> out.add(new JsonObject().put("pattern", p.pattern()).put("link", p.link())));
      json(rc, out);
    }).onFailure(e -> fail(rc, e));
  }

  private void addLinkPattern(RoutingContext rc) {
    LinkPattern pattern;
    try {
      pattern = LinkPattern.parse(limits.text("pattern", required(rc, "pattern")), limits.text("link", required(rc, "link")));
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    links.add(pattern).onSuccess(v -> json(rc, "OK")).onFailure(e -> fail(rc, e));
  }

  /** {@code ?pattern=} (and optionally {@code &link=}): removes that link pattern; 404 when there was none. */
  private void deleteLinkPattern(RoutingContext rc) {
    String pattern;
    try {
      pattern = required(rc, "pattern");
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    Optional<String> link;
    try {
      link = Optional.ofNullable(Paging.text(rc, "link"));
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    links.delete(pattern, link).onSuccess(n -> {
          if (n == 0) {
            detail(rc, 404, "pattern: no such link pattern");
          } else {
            json(rc, new JsonObject().put("deleted", n));
          }
        })
        .onFailure(e -> fail(rc, e));
  }

  private static String required(RoutingContext rc, String name) {
    String v = Paging.text(rc, name);
    if (v == null || v.isEmpty()) {
      throw ValidationException.of(name + ": required query parameter");
    }
    return v;
  }

  /**
   * lila's order: the user first (401 "User not found" for an unknown one, whatever the file
   * name), then the digest: a store path's hash part or a placeholder's (404 when no
   * attestation of this user has it).
   */
  private void signature(RoutingContext rc) {
    String file = rc.pathParam("file");
    String userName = rc.pathParam("user");
    boolean includeRevoked;
    try {
      includeRevoked = Paging.bool(rc, "include_revoked");
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    try {
      new dev.cairn.users.UserName(userName);
    } catch (IllegalArgumentException e) {
      // No user can have this name; it never reaches a query (a NUL would make PostgreSQL fail).
      detail(rc, 401, "User not found");
      return;
    }
    users.find(userName).compose(user -> {
      // A revoked builder's signatures are no longer served as theirs (a substituter could trust them).
      if (user.isEmpty() || (user.get().revoked() && !includeRevoked)) {
        detail(rc, 401, "User not found");
        return Future.succeededFuture();
      }
      String digest = file.endsWith(".narinfo") ? file.substring(0, file.length() - ".narinfo".length()) : "";
      if (digest.isEmpty() || digest.length() > OutputPath.MAX_DIGEST || digest.indexOf('-') >= 0 || digest.chars().anyMatch(Character::isISOControl)) {
        detail(rc, 404, "Not found");
        return Future.succeededFuture();
      }
      return reads.signatureOf(user.get().id(), digest).onSuccess(a -> {
        if (a.isEmpty()) {
          detail(rc, 404, "Not found");
          return;
        }
        rc.response().putHeader("Content-Type", "text/x-nix-narinfo").end(SignatureNarInfo.render(a.get()));
      });
    }).onFailure(e -> fail(rc, e));
  }

  static Set<String> splitNames(String csv) {
    Set<String> out = new java.util.LinkedHashSet<>();
    for (String s : csv.split(",")) {
      if (!s.isBlank()) {
        out.add(s.strip());
      }
    }
    return out;
  }

  static PublicKey parseKey(String text) {
    try {
      return PublicKey.parse(text);
    } catch (ValidationException e) {
      throw ValidationException.of("public_key: " + e.getMessage());
    }
  }
}
