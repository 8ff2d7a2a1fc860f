package dev.cairn.server;

import dev.cairn.db.Database;
import dev.cairn.server.config.ConfigTree;
import dev.cairn.server.config.ServerConfig;
import dev.cairn.server.http.Writes;
import dev.cairn.users.UserService;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

/**
 * What every capability is built from: the Vert.x instance, the configuration (each
 * capability reads its own section of {@code config}), the metadata database, users, and
 * the bounded pool for blocking work, and {@link Writes} for every route that accepts a write.
 */
public record ServerContext(
    Vertx vertx,
    ConfigTree config,
    ServerConfig server,
    Database db,
    UserService users,
    WorkerExecutor blocking,
    Writes writes) {}
