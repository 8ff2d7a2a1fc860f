package dev.cairn.server;

import dev.cairn.db.Database;
import dev.cairn.server.config.ConfigTree;
import dev.cairn.store.Store;
import dev.cairn.server.config.ServerConfig;
import dev.cairn.server.http.Writes;
import dev.cairn.users.UserService;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

/**
 * What every capability is built from: the Vert.x instance, the configuration (each
 * capability reads its own section of {@code config}), the metadata database, users, the
 * bounded pool for blocking work, and the one content-addressed {@link Store} (no capability
 * constructs storage of its own), and the registry behind {@code /metrics}.
 */
public record ServerContext(
    Vertx vertx,
    ConfigTree config,
    ServerConfig server,
    Database db,
    UserService users,
    WorkerExecutor blocking,
    Store store,
    Writes writes,
    io.micrometer.core.instrument.MeterRegistry metrics) {}
