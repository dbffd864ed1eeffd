using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Integration.Tests.Infrastructure;

/// <summary>
/// One container of an unpacked image, run by <c>runc run</c> the way a pod runs it under the chart: the image's user,
/// environment, working directory and entry point; a read-only root with a tmpfs on /tmp; read-only files mounted in.
/// It keeps the host's network namespace (so its listeners are on this machine's loopback) and has no cgroup
/// namespace, the two things runc needs to run here.
/// </summary>
public sealed class RuncContainer : IAsyncDisposable
{
    /// <summary>runc's state for these tests' containers, apart from any other runc user on the machine.</summary>
    private static readonly string StateRoot = Path.Combine(Path.GetTempPath(), "erie-canal-runc");

    private readonly string _bundle;
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private RuncContainer(string id, string bundle, Process process)
    {
        Id = id;
        _bundle = bundle;
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
    }

    public string Id { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>What the container printed (stdout and stderr, interleaved).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <param name="rootfs">The unpacked image (shared: the root is read-only).</param>
    /// <param name="image">The image configuration's <c>config</c> object.</param>
    /// <param name="command">Replaces the image's entry point when given, as a pod's <c>command</c> does.</param>
    /// <param name="arguments">The arguments after the entry point (or after <paramref name="command"/>).</param>
    /// <param name="environment">Added to the image's environment, overriding the same names.</param>
    /// <param name="files">Host files mounted read-only at the given container paths.</param>
    public static RuncContainer Start(
        string rootfs,
        JsonObject image,
        IReadOnlyList<string>? command,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        IReadOnlyDictionary<string, string> files)
    {
        var id = $"erie-canal-image-{Guid.NewGuid():N}"[..32];
        var bundle = Directory.CreateTempSubdirectory("erie-canal-bundle").FullName;
        var argv = (command ?? image["Entrypoint"]!.AsArray().Select(a => a!.GetValue<string>()).ToList()).Concat(arguments).ToList();
        var env = image["Env"]!.AsArray().Select(e => e!.GetValue<string>()).ToDictionary(e => e[..e.IndexOf('=')], e => e[(e.IndexOf('=') + 1)..]);
        foreach (var (name, value) in environment)
        {
            env[name] = value;
        }

        var user = image["User"]!.GetValue<string>().Split(':');
        var config = Spec(rootfs, argv, env, image["WorkingDir"]?.GetValue<string>() ?? "/", uint.Parse(user[0], CultureInfo.InvariantCulture), uint.Parse(user[^1], CultureInfo.InvariantCulture), files);
        File.WriteAllText(Path.Combine(bundle, "config.json"), config.ToJsonString());

        var start = new ProcessStartInfo("runc", ["--root", StateRoot, "run", "--bundle", bundle, id])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        var process = new Process { StartInfo = start };
        var container = new RuncContainer(id, bundle, process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return container;
    }

    /// <summary>The container's first process as the host sees it (its pid in the host's pid namespace).</summary>
    public async Task<int> HostPidAsync()
    {
        var (code, text) = await RuncAsync("state", Id);
        if (code != 0)
        {
            throw new InvalidOperationException($"runc state {Id} exited {code}: {text}; container output: {Output}");
        }

        return JsonNode.Parse(text)!["pid"]!.GetValue<int>();
    }

    /// <summary>Sends SIGTERM to the container's process, as the kubelet does to stop a pod.</summary>
    public async Task TerminateAsync()
    {
        var (code, text) = await RuncAsync("kill", Id, "TERM");
        if (code != 0 && !HasExited)
        {
            throw new InvalidOperationException($"runc kill {Id} TERM exited {code}: {text}");
        }
    }

    /// <summary>The container's exit code (runc run's), or null when it is still running after <paramref name="bound"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await RuncAsync("kill", Id, "KILL");
            await WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        await RuncAsync("delete", "--force", Id);
        _process.Dispose();
        Directory.Delete(_bundle, recursive: true);
    }

    private static JsonObject Spec(string rootfs, List<string> argv, Dictionary<string, string> env, string cwd, uint uid, uint gid, IReadOnlyDictionary<string, string> files)
    {
        var mounts = new JsonArray
        {
            Mount("/proc", "proc", "proc"),
            Mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
            Mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
            Mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"),
            Mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
            Mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),
            Mount("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "ro"),
            // The one writable place, as the chart's emptyDir on /tmp.
            Mount("/tmp", "tmpfs", "tmpfs", "nosuid", "nodev", "mode=1777", "size=262144k"),
        };
        foreach (var (containerPath, hostPath) in files)
        {
            mounts.Add(Mount(containerPath, "bind", hostPath, "rbind", "ro"));
        }

        return new JsonObject
        {
            ["ociVersion"] = "1.0.2",
            ["process"] = new JsonObject
            {
                ["terminal"] = false,
                ["user"] = new JsonObject { ["uid"] = uid, ["gid"] = gid },
                ["args"] = new JsonArray([.. argv.Select(a => JsonValue.Create(a))]),
                ["env"] = new JsonArray([.. env.Select(e => JsonValue.Create($"{e.Key}={e.Value}"))]),
                ["cwd"] = cwd,
                // No capabilities at all: what a restricted pod security profile leaves a non-root container.
                ["capabilities"] = new JsonObject
                {
                    ["bounding"] = new JsonArray(),
                    ["effective"] = new JsonArray(),
                    ["permitted"] = new JsonArray(),
                    ["inheritable"] = new JsonArray(),
                    ["ambient"] = new JsonArray(),
                },
                ["noNewPrivileges"] = true,
            },
            ["root"] = new JsonObject { ["path"] = rootfs, ["readonly"] = true },
            ["hostname"] = "erie-canal-image-test",
            ["mounts"] = mounts,
            ["linux"] = new JsonObject
            {
                ["resources"] = new JsonObject { ["devices"] = new JsonArray(new JsonObject { ["allow"] = false, ["access"] = "rwm" }) },
                // No network namespace (the host's loopback), no cgroup namespace (runc here cannot make one).
                ["namespaces"] = new JsonArray(new JsonObject { ["type"] = "pid" }, new JsonObject { ["type"] = "ipc" }, new JsonObject { ["type"] = "uts" }, new JsonObject { ["type"] = "mount" }),
                ["maskedPaths"] = new JsonArray("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"),
                ["readonlyPaths"] = new JsonArray("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"),
            },
        };
    }

    private static JsonObject Mount(string destination, string type, string source, params string[] options)
    {
        var mount = new JsonObject { ["destination"] = destination, ["type"] = type, ["source"] = source };
        if (options.Length > 0)
        {
            mount["options"] = new JsonArray([.. options.Select(o => JsonValue.Create(o))]);
        }

        return mount;
    }

    private static async Task<(int Code, string Text)> RuncAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("runc", ["--root", StateRoot, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("runc did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
