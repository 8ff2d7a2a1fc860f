package dev.cairn.server.cli;

import dev.cairn.nix.StorePath;
import dev.cairn.server.config.ConfigTree;
import dev.cairn.store.gc.GarbageCollector;
import dev.cairn.store.gc.GcConfig;
import dev.cairn.store.gc.GcOptions;
import dev.cairn.store.gc.GcReport;
import dev.cairn.store.gc.Pins;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "gc", mixinStandardHelpOptions = true,
    description = {"Delete what no PathInfo or pin reaches (directories, blobs, NAR calculations, chunks), "
        + "keeping anything younger than the grace period. Prints what it freed. Safe while the server runs."},
    subcommands = {GcCommand.Pin.class, GcCommand.Unpin.class, GcCommand.ListPins.class})
final class GcCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config;

  @Option(names = "--dry-run", description = "Count what would be freed; delete nothing.")
  boolean dryRun;

  @Option(names = "--grace", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Keep everything written more recently than this, e.g. 1h, 30m, 0s (default: castore.gc.grace, 1h).")
  Duration grace;

  @Override
  public Integer call() throws Exception {
    ConfigTree tree = config.load();
    GcOptions options = new GcOptions(grace != null ? grace : GcConfig.from(tree).grace(), dryRun);
    GcReport report = Admin.withStore(tree, (db, store) -> GarbageCollector.of(db, store, dev.cairn.server.Capabilities.metadataSweeps(db)).run(options));
    System.out.println(report.summary());
    return 0;
  }

  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return ConfigTree.parseDuration(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  @Command(name = "pin", mixinStandardHelpOptions = true,
      description = "Keep a store path's content (as it is now) even after its PathInfo is deleted. Pinning an existing NAME moves it.")
  static final class Pin implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Parameters(index = "0", paramLabel = "NAME", description = "Pin name: 1..128 of [A-Za-z0-9._-].")
    String name;

    @Parameters(index = "1", paramLabel = "STORE_PATH", description = "e.g. /nix/store/<hash>-<name>")
    String path;

    @Override
    public Integer call() throws Exception {
      StorePath storePath = parse(path);
      Pins.Pin pin = Admin.withStore(config.load(), (db, store) -> new Pins(db, store.pathInfos()).pin(name, storePath));
      System.out.println("pinned " + pin.name() + " -> " + pin.storePath().fullPath());
      return 0;
    }

    private static StorePath parse(String path) {
      try {
        return StorePath.parse(path);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("not a store path: " + path + " (" + e.getMessage() + ")");
      }
    }
  }

  @Command(name = "unpin", mixinStandardHelpOptions = true, description = "Remove a pin; its content is collected once nothing else reaches it.")
  static final class Unpin implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() throws Exception {
      boolean existed = Admin.withStore(config.load(), (db, store) -> new Pins(db, store.pathInfos()).unpin(name));
      if (!existed) {
        throw new IllegalArgumentException("no pin named " + name);
      }
      System.out.println("unpinned " + name);
      return 0;
    }
  }

  @Command(name = "pins", mixinStandardHelpOptions = true, description = "List pins: name, store path, when pinned.")
  static final class ListPins implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
      List<Pins.Pin> pins = Admin.withStore(config.load(), (db, store) -> new Pins(db, store.pathInfos()).list());
      for (Pins.Pin p : pins) {
        System.out.println(p.name() + "\t" + p.storePath().fullPath() + "\t" + Instant.ofEpochMilli(p.createdAtMillis()));
      }
      return 0;
    }
  }
}
