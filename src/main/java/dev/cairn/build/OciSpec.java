package dev.cairn.build;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The OCI runtime spec (config.json) of one build: the request's command, environment and
 * working directory; root inside its own user, pid, mount, ipc, uts and (unless
 * {@code network_access}) network namespace, with no capabilities and {@code noNewPrivileges};
 * a read-only empty root with a private /tmp, minimal /proc and /dev, masked and read-only
 * kernel paths; the writable scratch directories and the read-only inputs bind-mounted where the
 * request says.
 */
final class OciSpec {
  private static final JsonNodeFactory J = JsonNodeFactory.instance;
  private static final List<String> MASKED = List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware");
  private static final List<String> READ_ONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");
  private static final List<String> RO_BIND = List.of("rbind", "ro", "nosuid", "nodev");

  private OciSpec() {}

  static ObjectNode render(BuildRequest request, BundleLayout layout, BuildConfig config) {
    ObjectNode spec = J.objectNode();
    spec.put("ociVersion", "1.0.2");
    ObjectNode process = spec.putObject("process");
    process.put("terminal", false);
    ObjectNode user = process.putObject("user");
    user.put("uid", 0);
    user.put("gid", 0);
    ArrayNode args = process.putArray("args");
    request.commandArgs().forEach(args::add);
    ArrayNode env = process.putArray("env");
    for (BuildRequest.EnvVar v : request.environment()) {
      env.add(v.key() + "=" + new String(v.value(), StandardCharsets.UTF_8));
    }
    process.put("cwd", "/" + request.workingDir());
    ObjectNode caps = process.putObject("capabilities");
    for (String set : List.of("bounding", "effective", "inheritable", "permitted", "ambient")) {
      caps.putArray(set);
    }
    ObjectNode nofile = process.putArray("rlimits").addObject();
    nofile.put("type", "RLIMIT_NOFILE");
    nofile.put("hard", config.nofile());
    nofile.put("soft", config.nofile());
    process.put("noNewPrivileges", true);

    ObjectNode root = spec.putObject("root");
    root.put("path", layout.rootfs().toString());
    root.put("readonly", true);
    spec.put("hostname", "localhost");

    ArrayNode mounts = spec.putArray("mounts");
    mount(mounts, "/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev"));
    mount(mounts, "/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k"));
    mount(mounts, "/dev/pts", "devpts", "devpts", List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"));
    mount(mounts, "/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k"));
    mount(mounts, "/tmp", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=1777"));
    for (String scratch : request.scratchPaths()) {
      mount(mounts, "/" + scratch, "bind", layout.scratch(scratch).toString(), List.of("rbind", "rw", "nosuid", "nodev"));
    }
    if (layout.inputsWhole()) {
      mount(mounts, "/" + request.inputsDir(), "bind", layout.inputs().toString(), RO_BIND);
    } else {
      for (var input : request.inputs()) {
        if (!(input instanceof dev.cairn.castore.SymlinkNode)) {
          mount(mounts, inputTarget(request, input.name().toString()), "bind", layout.inputs().resolve(input.name().toString()).toString(),
              RO_BIND);
        }
      }
    }
    for (String ro : request.constraints().availableRoPaths()) {
      mount(mounts, ro, "bind", ro, RO_BIND);
    }
    if (request.constraints().provideBinSh()) {
      mount(mounts, "/bin/sh", "bind", config.sandboxShell().toString(), RO_BIND);
    }

    ObjectNode linux = spec.putObject("linux");
    ArrayNode namespaces = linux.putArray("namespaces");
    for (String ns : List.of("pid", "ipc", "uts", "mount", "user")) {
      namespaces.addObject().put("type", ns);
    }
    if (!request.constraints().networkAccess()) {
      namespaces.addObject().put("type", "network");
    }
    idMaps(linux.putArray("uidMappings"), config.uidMap());
    idMaps(linux.putArray("gidMappings"), config.gidMap());
    long memory = Math.max(config.memoryLimit(), request.constraints().minMemory());
    linux.putObject("resources").putObject("memory").put("limit", memory);
    ArrayNode masked = linux.putArray("maskedPaths");
    MASKED.forEach(masked::add);
    ArrayNode readOnly = linux.putArray("readonlyPaths");
    READ_ONLY.forEach(readOnly::add);
    return spec;
  }

  static String inputTarget(BuildRequest request, String name) {
    return "/" + (request.inputsDir().isEmpty() ? name : request.inputsDir() + "/" + name);
  }

  private static void mount(ArrayNode mounts, String destination, String type, String source, List<String> options) {
    ObjectNode m = mounts.addObject();
    m.put("destination", destination);
    m.put("type", type);
    m.put("source", source);
    ArrayNode o = m.putArray("options");
    options.forEach(o::add);
  }

  private static void idMaps(ArrayNode into, List<IdMap> maps) {
    for (IdMap m : maps) {
      ObjectNode o = into.addObject();
      o.put("containerID", m.containerId());
      o.put("hostID", m.hostId());
      o.put("size", m.size());
    }
  }

  /** Where on the host a path of the container lies (the deepest scratch path holding it, else the rootfs). */
  static Path hostPath(BuildRequest request, BundleLayout layout, String containerPath) {
    String best = null;
    for (String s : request.scratchPaths()) {
      if (CleanPath.isUnder(containerPath, s) && (best == null || s.length() > best.length())) {
        best = s;
      }
    }
    if (best == null) {
      return layout.rootfs().resolve(containerPath);
    }
    return layout.scratch(best).resolve(containerPath.equals(best) ? "" : containerPath.substring(best.isEmpty() ? 0 : best.length() + 1));
  }
}
