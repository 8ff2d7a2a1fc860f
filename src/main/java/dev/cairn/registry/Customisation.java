package dev.cairn.registry;

import dev.cairn.castore.Directory;
import dev.cairn.castore.DirectoryNode;
import dev.cairn.castore.DirectoryService;
import dev.cairn.castore.FileNode;
import dev.cairn.castore.Node;
import dev.cairn.castore.PathComponent;
import dev.cairn.nix.StorePath;
import dev.cairn.store.PathInfo;
import dev.cairn.store.PathNames;
import io.vertx.core.Future;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The small top layer of an image: a symlink forest of the top-level paths' {@code bin/},
 * {@code lib/}, {@code share/} and {@code etc/} entries into {@code /} (the first package of the
 * name wins a clash), {@code /tmp} (1777), {@code /usr/bin/env} when some package has
 * {@code bin/env}, {@code /etc/passwd} and {@code /etc/group} (root and nobody), and
 * {@code /etc/ssl/certs/ca-certificates.crt} when a CA bundle is in the closure. Also what the
 * image config says about it: PATH, SSL_CERT_FILE, a shell to run by default, and the
 * {@code nobody} user ({@value #NOBODY}) when the name asks for a non-root image.
 */
record Customisation(byte[] tar, List<String> env, List<String> cmd, Optional<String> user) {
  /** The unprivileged user and group of /etc/passwd and /etc/group, as the config's {@code User}. */
  static final String NOBODY = "65534:65534";
  static final List<String> FOREST = List.of("bin", "etc", "lib", "share");
  /** Where Nix's CA bundle packages (cacert, nss-cacert) keep the bundle. */
  private static final List<String> CA_BUNDLE = List.of("etc", "ssl", "certs", "ca-bundle.crt");
  private static final String PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:" + NOBODY + ":nobody:/var/empty:/bin/false\n";
  private static final String GROUP = "root:x:0:\nnogroup:x:65534:\n";

  /** One entry of the layer: a directory, a symlink or a small file. */
  private sealed interface Entry permits Dir, Link, Content {}

  private record Dir(int mode) implements Entry {}

  private record Link(String target) implements Entry {}

  private record Content(int mode, String text) implements Entry {}

  static Future<Customisation> build(DirectoryService directories, List<PathInfo> tops, Map<StorePath, PathInfo> closure, boolean nonRoot) {
    List<Future<List<String[]>>> forests = tops.stream().map(top -> forest(directories, top)).toList();
    Future<Optional<String>> certs = caBundle(directories, closure);
    return Future.all(forests).compose(v -> certs).map(bundle -> {
      TreeMap<String, Entry> entries = new TreeMap<>();
      for (Future<List<String[]>> f : forests) {
        for (String[] link : f.result()) {
          entries.putIfAbsent(link[0], new Link(link[1]));
        }
      }
      entries.put("etc/passwd", new Content(0444, PASSWD));
      entries.put("etc/group", new Content(0444, GROUP));
      entries.put("tmp", new Dir(01777));
      List<String> env = new ArrayList<>(List.of("PATH=/bin:/usr/bin"));
      if (entries.get("bin/env") instanceof Link env1) {
        entries.put("usr/bin/env", new Link(env1.target()));
      }
      bundle.ifPresent(b -> {
        entries.put("etc/ssl/certs/ca-certificates.crt", new Link(b));
        entries.put("etc/ssl/certs/ca-bundle.crt", new Link(b));
        env.add("SSL_CERT_FILE=" + b);
      });
      List<String> cmd = entries.containsKey("bin/sh") ? List.of("/bin/sh") : entries.containsKey("bin/bash") ? List.of("/bin/bash") : List.of();
      return new Customisation(render(entries), env, cmd, nonRoot ? Optional.of(NOBODY) : Optional.empty());
    });
  }

  /** {@code [layer path, link target]} for each entry of the top-level path's forest directories. */
  private static Future<List<String[]>> forest(DirectoryService directories, PathInfo top) {
    if (!(top.node() instanceof DirectoryNode root)) {
      return Future.succeededFuture(List.of());
    }
    return directories.get(root.digest()).compose(dir -> {
      if (dir.isEmpty()) {
        return Future.succeededFuture(List.of());
      }
      List<String> subs = FOREST.stream().filter(s -> child(dir.get(), s) instanceof DirectoryNode).toList();
      List<Future<Optional<Directory>>> gets = subs.stream().map(s -> directories.get(((DirectoryNode) child(dir.get(), s)).digest())).toList();
      return Future.all(gets).map(x -> {
        List<String[]> links = new ArrayList<>();
        for (int i = 0; i < subs.size(); i++) {
          String sub = subs.get(i);
          gets.get(i).result().ifPresent(d -> d.nodes().forEach(n -> {
            String name = new String(n.name().bytes(), StandardCharsets.UTF_8);
            links.add(new String[] {sub + "/" + name, top.storePath().fullPath() + "/" + sub + "/" + name});
          }));
        }
        return links;
      });
    });
  }

  /** The CA bundle of the first (in store path order) cacert package of the closure that has one. */
  private static Future<Optional<String>> caBundle(DirectoryService directories, Map<StorePath, PathInfo> closure) {
    Future<Optional<String>> chain = Future.succeededFuture(Optional.empty());
    for (PathInfo p : closure.values()) {
      String pname = PathNames.packageName(p.storePath().name());
      if (!pname.equals("cacert") && !pname.equals("nss-cacert")) {
        continue;
      }
      chain = chain.compose(found -> found.isPresent() ? Future.succeededFuture(found)
          : walk(directories, p.node(), CA_BUNDLE).map(file -> file.map(f -> p.storePath().fullPath() + "/" + String.join("/", CA_BUNDLE))));
    }
    return chain;
  }

  private static Future<Optional<FileNode>> walk(DirectoryService directories, Node node, List<String> path) {
    if (path.isEmpty()) {
      return Future.succeededFuture(node instanceof FileNode f ? Optional.of(f) : Optional.empty());
    }
    if (!(node instanceof DirectoryNode d)) {
      return Future.succeededFuture(Optional.empty());
    }
    return directories.get(d.digest()).compose(dir -> {
      Node next = dir.map(x -> child(x, path.get(0))).orElse(null);
      return next == null ? Future.succeededFuture(Optional.empty()) : walk(directories, next, path.subList(1, path.size()));
    });
  }

  private static Node child(Directory dir, String name) {
    PathComponent want = PathComponent.of(name);
    return dir.nodes().stream().filter(n -> n.name().equals(want)).findFirst().orElse(null);
  }

  /**
   * Entries in path order, missing parent directories synthesized (0755); a forest link where one
   * of our own entries needs a directory (a package's {@code etc/ssl}) gives way to the directory.
   */
  private static byte[] render(TreeMap<String, Entry> entries) {
    TreeMap<String, Entry> all = new TreeMap<>(entries);
    for (String path : entries.keySet()) {
      for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
        String parent = path.substring(0, slash);
        if (!(all.get(parent) instanceof Dir)) {
          all.put(parent, new Dir(0755));
        }
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TarWriter tar = new TarWriter(out);
    try {
      for (Map.Entry<String, Entry> e : all.entrySet()) {
        byte[] path = TarWriter.bytes(e.getKey());
        Entry entry = e.getValue();
        if (entry instanceof Dir d) {
          tar.directory(path, d.mode());
        } else if (entry instanceof Link l) {
          tar.symlink(path, TarWriter.bytes(l.target()));
        } else if (entry instanceof Content c) {
          tar.file(path, c.mode(), TarWriter.bytes(c.text()));
        }
      }
      tar.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
