using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// The config.json of a container's OCI bundle. The sandbox's difference from a real node: containers keep the host's
/// network namespace (pods have loopback IPs on the host) and no cgroup namespace (runc here cannot create one);
/// mount, pid, ipc and uts namespaces are the container's own. Binds get the pod's identity as if the pod had its own
/// network namespace: the kubelet preloads <see cref="BindShim"/> (through the container's /etc/ld.so.preload), which
/// makes a bind of 0.0.0.0 (or of a dual-stack ::) to a port a bind of the pod IP, so two pods can listen on one port.
/// Statically linked programs do not load it and must bind their pod IP (status.podIP) themselves.
/// </summary>
public static class OciSpec
{
    // containerd's default capability set for a container (what a pod gets without securityContext.capabilities).
    private static readonly string[] DefaultCapabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
        "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    public static JsonObject Build(string rootFs, bool readOnlyRoot, string hostname, IReadOnlyList<string> args,
        IReadOnlyList<KeyValuePair<string, string>> env, string cwd, ContainerUser user, IReadOnlyList<OciMount> mounts, bool noNewPrivileges)
    {
        var capabilities = new JsonArray(DefaultCapabilities.Select(c => (JsonNode?)c).ToArray());
        var process = new JsonObject
        {
            ["terminal"] = false,
            ["user"] = new JsonObject
            {
                ["uid"] = user.Uid,
                ["gid"] = user.Gid,
                ["additionalGids"] = new JsonArray(user.AdditionalGids.Select(g => (JsonNode?)g).ToArray()),
            },
            ["args"] = new JsonArray(args.Select(a => (JsonNode?)a).ToArray()),
            ["env"] = new JsonArray(env.Select(p => (JsonNode?)$"{p.Key}={p.Value}").ToArray()),
            ["cwd"] = cwd,
            ["capabilities"] = new JsonObject
            {
                ["bounding"] = capabilities.DeepClone(),
                // A non-root process starts with no effective capabilities, as containerd does it.
                ["effective"] = user.Uid == 0 ? capabilities.DeepClone() : new JsonArray(),
                ["permitted"] = user.Uid == 0 ? capabilities.DeepClone() : new JsonArray(),
            },
            ["noNewPrivileges"] = noNewPrivileges,
        };

        var specMounts = new JsonArray(
            Mount("/proc", "proc", "proc", []),
            Mount("/dev", "tmpfs", "tmpfs", ["nosuid", "strictatime", "mode=755", "size=65536k"]),
            Mount("/dev/pts", "devpts", "devpts", ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
            Mount("/dev/shm", "shm", "tmpfs", ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
            Mount("/dev/mqueue", "mqueue", "mqueue", ["nosuid", "noexec", "nodev"]),
            Mount("/sys", "sysfs", "sysfs", ["nosuid", "noexec", "nodev", "ro"]),
            Mount("/sys/fs/cgroup", "cgroup", "cgroup", ["nosuid", "noexec", "nodev", "relatime", "ro"]));
        foreach (var mount in mounts)
        {
            specMounts.Add(mount.Type == "bind"
                ? Mount(mount.Destination, mount.Source, "bind", mount.ReadOnly ? ["rbind", "rprivate", "ro"] : ["rbind", "rprivate"])
                : Mount(mount.Destination, mount.Source, mount.Type, mount.ReadOnly ? ["nosuid", "nodev", "ro"] : ["nosuid", "nodev"]));
        }

        return new JsonObject
        {
            ["ociVersion"] = "1.0.2-dev",
            ["process"] = process,
            ["root"] = new JsonObject { ["path"] = rootFs, ["readonly"] = readOnlyRoot },
            ["hostname"] = hostname,
            ["mounts"] = specMounts,
            ["linux"] = new JsonObject
            {
                ["namespaces"] = new JsonArray(
                    new JsonObject { ["type"] = "pid" },
                    new JsonObject { ["type"] = "ipc" },
                    new JsonObject { ["type"] = "uts" },
                    new JsonObject { ["type"] = "mount" }),
                ["maskedPaths"] = new JsonArray("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                    "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"),
                ["readonlyPaths"] = new JsonArray("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"),
            },
        };
    }

    private static JsonObject Mount(string destination, string source, string type, string[] options) => new()
    {
        ["destination"] = destination,
        ["type"] = type,
        ["source"] = source,
        ["options"] = new JsonArray(options.Select(o => (JsonNode?)o).ToArray()),
    };
}
