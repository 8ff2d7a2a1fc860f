package dev.cairn.server.cli;

import dev.cairn.users.Role;
import dev.cairn.users.User;
import dev.cairn.users.UserName;
import dev.cairn.users.UserService;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "user", mixinStandardHelpOptions = true, description = "Manage users (builders, operators) and their API tokens.",
    subcommands = {UserCommand.Create.class, UserCommand.ListUsers.class, UserCommand.Revoke.class, UserCommand.SetRole.class,
        UserCommand.AddKey.class})
final class UserCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: create, list, revoke, set-role or add-key");
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a user and print its API token once (only a hash of it is stored).")
  static final class Create implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Parameters(paramLabel = "NAME", description = "User name: 1..64 of [A-Za-z0-9._-].")
    String name;

    @Option(names = "--token", paramLabel = "TOKEN", description = "Use this token (e.g. one kept from lila) instead of a new random one.")
    String token;

    @Option(names = "--role", paramLabel = "ROLE", defaultValue = "writer",
        description = "admin (users, link patterns, GC, pins), writer (attestations, uploads, builds) or reader (reads on private instances); default ${DEFAULT-VALUE}.")
    String role;

    @Override
    public Integer call() throws Exception {
      UserName userName = new UserName(name);
      Role chosen = Role.parse(role);
      UserService.Created created = Admin.withDatabase(config.load(), db -> new UserService(db).create(userName, chosen, Optional.ofNullable(token)));
      System.out.println(created.token());
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List users.")
  static final class ListUsers implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
      List<User> users = Admin.withDatabase(config.load(), db -> new UserService(db).list());
      for (User u : users) {
        System.out.println(u.name() + "\t" + u.role() + "\t" + Instant.ofEpochMilli(u.createdAtMillis()) + (u.revoked() ? "\trevoked" : "\tactive"));
      }
      return 0;
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a user and all of its tokens.")
  static final class Revoke implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() throws Exception {
      UserName userName = new UserName(name);
      Admin.withDatabase(config.load(), db -> new UserService(db).revoke(userName));
      System.out.println("revoked " + name);
      return 0;
    }
  }

  @Command(name = "set-role", mixinStandardHelpOptions = true, description = "Give a user another role: admin, writer or reader.")
  static final class SetRole implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "ROLE", description = "admin, writer or reader.")
    String role;

    @Override
    public Integer call() throws Exception {
      UserName userName = new UserName(name);
      Role chosen = Role.parse(role);
      Admin.withDatabase(config.load(), db -> new UserService(db).setRole(userName, chosen));
      System.out.println(name + " is now " + chosen);
      return 0;
    }
  }

  @Command(name = "add-key", mixinStandardHelpOptions = true,
      description = "Register a builder's Nix public key without proof of possession (operator override); "
          + "refused if another user holds the key or its name. Its signed attestations are then verified.")
  static final class AddKey implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "KEYFILE", description = "A Nix public key file (name:base64), e.g. from nix key convert-secret-to-public.")
    java.nio.file.Path keyFile;

    @Override
    public Integer call() throws Exception {
      dev.cairn.nix.PublicKey key = dev.cairn.nix.PublicKey.parse(java.nio.file.Files.readString(keyFile));
      Admin.withDatabase(config.load(), db -> new UserService(db).find(name).compose(user -> user.isEmpty()
          ? io.vertx.core.Future.failedFuture(new UserService.NoSuchUserException(name))
          : new dev.cairn.attest.KeyRegistry(db, 0).assign(user.get().id(), key)));
      System.out.println("added key " + key.name() + " to " + name);
      return 0;
    }
  }
}
