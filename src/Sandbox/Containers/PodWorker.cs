using System.Globalization;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Sandbox.Api;
using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Containers;

/// <summary>
/// The kubelet's work for one pod (one uid): an IP, volumes, init containers in order, then every container under
/// its restart policy with probes driving started, ready and restarts; the status written as the kubelet writes it;
/// on deletion SIGTERM, the grace period, SIGKILL, and then the object goes.
/// </summary>
public sealed class PodWorker
{
    private static readonly TimeSpan ConfigRetry = TimeSpan.FromSeconds(2);

    private readonly ContainerKubelet _kubelet;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(ContainerRecord Record, JsonObject Spec)> _init = [];
    private readonly List<(ContainerRecord Record, JsonObject Spec)> _containers = [];
    private JsonObject _pod;
    private PodVolumes? _volumes;
    private TimeSpan _grace;
    private bool _sandboxReady;
    private bool _initialized;
    private bool _removed;
    private string? _sandboxProblem;

    public PodWorker(ContainerKubelet kubelet, JsonObject pod)
    {
        _kubelet = kubelet;
        _pod = (JsonObject)pod.DeepClone();
        Namespace = pod["metadata"]?["namespace"]?.GetValue<string>() ?? "default";
        Name = pod["metadata"]?["name"]?.GetValue<string>() ?? "";
        Uid = pod["metadata"]?["uid"]?.GetValue<string>() ?? "";
        PodDirectory = Path.Combine(kubelet.PodsDirectory, Uid);
        foreach (var (list, key, init) in new[] { (_init, "initContainers", true), (_containers, "containers", false) })
        {
            foreach (var spec in (pod["spec"]?[key] as JsonArray ?? []).OfType<JsonObject>())
            {
                list.Add((new ContainerRecord(spec["name"]?.GetValue<string>() ?? "", spec["image"]?.GetValue<string>() ?? "", init), spec));
            }
        }

        _initialized = _init.Count == 0;
        Completion = Task.CompletedTask;
    }

    public string Namespace { get; }

    public string Name { get; }

    public string Uid { get; }

    public string PodDirectory { get; }

    /// <summary>Completes when the pod's containers are gone and (when it was deleted) its object too.</summary>
    public Task Completion { get; private set; }

    private string Restart => _pod["spec"]?["restartPolicy"]?.GetValue<string>() ?? "Always";

    public void Start() => Completion = Task.Run(RunAsync);

    /// <summary>A newer version of the pod object: a deletionTimestamp starts termination.</summary>
    public void Update(JsonObject pod)
    {
        lock (_gate)
        {
            _pod = (JsonObject)pod.DeepClone();
        }

        if (pod["metadata"]?["deletionTimestamp"] is not null)
        {
            RequestStop(TimeSpan.FromSeconds(JsonTree.GetInt64(pod, "metadata", "deletionGracePeriodSeconds") ?? GracePeriod(pod)));
        }
    }

    /// <summary>The object was removed without the kubelet (a controller's direct delete): stop the containers all the same.</summary>
    public void ObjectRemoved()
    {
        _removed = true;
        RequestStop(TimeSpan.FromSeconds(GracePeriod(_pod)));
    }

    /// <summary>Stops every container at once (the sandbox is shutting down).</summary>
    public void Kill() => RequestStop(TimeSpan.Zero);

    /// <summary>The container named <paramref name="name"/> (or the only one when null).</summary>
    public ContainerRecord? Find(string? name)
    {
        lock (_gate)
        {
            var all = _containers.Concat(_init).Select(c => c.Record).ToList();
            return name is null ? _containers.Count == 1 ? _containers[0].Record : null : all.FirstOrDefault(r => r.Name == name);
        }
    }

    public static long GracePeriod(JsonObject pod) => JsonTree.GetInt64(pod, "spec", "terminationGracePeriodSeconds") ?? 30;

    private void RequestStop(TimeSpan grace)
    {
        lock (_gate)
        {
            if (_stop.IsCancellationRequested)
            {
                _grace = grace < _grace ? grace : _grace;
                return;
            }

            _grace = grace;
        }

        _stop.Cancel();
    }

    private async Task RunAsync()
    {
        var loops = new List<Task>();
        try
        {
            await PrepareAsync();
            if (_sandboxReady)
            {
                foreach (var (record, spec) in _init)
                {
                    if (!await RunContainerAsync(record, spec))
                    {
                        break;
                    }
                }

                if (_init.All(i => i.Record.Terminated && i.Record.State["terminated"]?["exitCode"]?.GetValue<int>() == 0))
                {
                    lock (_gate)
                    {
                        _initialized = true;
                    }

                    loops.AddRange(_containers.Select(c => Task.Run(() => RunContainerAsync(c.Record, c.Spec))));
                }
            }

            Publish();
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            await Console.Error.WriteLineAsync($"sandbox {_kubelet.ClusterName}: pod {Namespace}/{Name}: {ex}");
            _kubelet.Events.Record(_pod, "Warning", "Failed", $"the sandbox's kubelet failed: {ex.Message}");
        }

        try
        {
            await Task.Delay(Timeout.Infinite, _stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await TerminateAllAsync(loops);
        if (!_removed)
        {
            // The kubelet's final delete: the object goes once no finalizer holds it.
            try
            {
                _kubelet.Store.Update("pods", Namespace, Name, current =>
                    current["metadata"]?["uid"]?.GetValue<string>() != Uid ? current
                    : current["metadata"]?["finalizers"] is JsonArray { Count: > 0 } ? current
                    : null);
            }
            catch (ApiException ex) when (ex.Code == 404)
            {
            }
        }

        Cleanup();
    }

    private async Task PrepareAsync()
    {
        var time = ObjectStore.FormatTime(_kubelet.Store.Now);
        string? ip = null;
        TryUpdatePod(pod =>
        {
            var spec = JsonTree.EnsureObject(pod, "spec");
            spec["nodeName"] ??= _kubelet.NodeName;
            var status = JsonTree.EnsureObject(pod, "status");
            ip = status["podIP"]?.GetValue<string>() ?? _kubelet.AllocatePodIp();
            status["podIP"] = ip;
            status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = ip });
            status["hostIP"] = "127.0.0.1";
            status["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = "127.0.0.1" });
            status["startTime"] ??= time;
        });
        lock (_gate)
        {
            JsonTree.EnsureObject(_pod, "status")["podIP"] = ip;
            _pod["status"]!["podIPs"] = new JsonArray(new JsonObject { ["ip"] = ip });
            _pod["status"]!["hostIP"] = "127.0.0.1";
            _pod["status"]!["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = "127.0.0.1" });
            JsonTree.EnsureObject(_pod, "spec")["nodeName"] ??= _kubelet.NodeName;
        }

        if (Runc.Unavailable() is { } why)
        {
            _sandboxProblem = why;
            _kubelet.Events.Record(_pod, "Warning", "FailedCreatePodSandBox", $"Failed to create pod sandbox: {why}");
            Publish();
            return;
        }

        Publish();
        while (true)
        {
            _stop.Token.ThrowIfCancellationRequested();
            try
            {
                var volumes = PodVolumes.Prepare(Snapshot(), PodDirectory, _kubelet.PersistentDirectory, _kubelet.Store, _kubelet.Services);
                lock (_gate)
                {
                    _volumes = volumes;
                    _sandboxReady = true;
                }

                if (volumes.ShortestTokenLifetime is { } lifetime)
                {
                    _ = RefreshTokensAsync(volumes, lifetime);
                }

                Publish();
                return;
            }
            catch (ContainerConfigException ex)
            {
                _kubelet.Events.Record(_pod, "Warning", "FailedMount", $"MountVolume.SetUp failed: {ex.Message}");
                await Task.Delay(ConfigRetry, _stop.Token);
            }
        }
    }

    /// <summary>Issues the pod's service-account tokens again at 80% of their lifetime, as the kubelet does.</summary>
    private async Task RefreshTokensAsync(PodVolumes volumes, TimeSpan lifetime)
    {
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, (long)(lifetime.Ticks * 0.8)));
        while (!_stop.IsCancellationRequested)
        {
            await DelayAsync(period);
            if (!_stop.IsCancellationRequested)
            {
                try
                {
                    volumes.RefreshTokens(_kubelet.Services);
                }
                catch (IOException ex)
                {
                    _kubelet.Events.Record(_pod, "Warning", "FailedMount", $"refreshing the service-account token failed: {ex.Message}");
                }
            }
        }
    }

    /// <summary>Runs one container under the restart policy; for an init container, returns whether it succeeded.</summary>
    private async Task<bool> RunContainerAsync(ContainerRecord record, JsonObject spec)
    {
        var backoff = new RestartBackoff(_kubelet.RestartBackoff);
        if (!_kubelet.Images.IsGiven(record.Image))
        {
            Set(record, r => r.State = ContainerRecord.Waiting("ErrImagePull",
                $"the sandbox cannot pull \"{record.Image}\": it runs only the images it was given ({string.Join(", ", _kubelet.Images.References)})"));
            _kubelet.Events.Record(_pod, "Warning", "Failed", $"Failed to pull image \"{record.Image}\": the sandbox has no registry", record.Name);
            return false;
        }

        while (!_stop.IsCancellationRequested)
        {
            ContainerInstance instance;
            try
            {
                instance = await StartAsync(record, spec);
            }
            catch (ContainerConfigException ex)
            {
                Set(record, r => r.State = ContainerRecord.Waiting("CreateContainerConfigError", ex.Message));
                _kubelet.Events.Record(_pod, "Warning", "Failed", $"Error: {ex.Message}", record.Name);
                await DelayAsync(ConfigRetry);
                continue;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or System.ComponentModel.Win32Exception or UnauthorizedAccessException)
            {
                Set(record, r => r.State = ContainerRecord.Waiting("RunContainerError", ex.Message));
                _kubelet.Events.Record(_pod, "Warning", "Failed", $"Error: {ex.Message}", record.Name);
                await DelayAsync(backoff.Next(TimeSpan.Zero) + ConfigRetry);
                continue;
            }

            using var probing = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var probes = record.Init ? Task.CompletedTask : Task.Run(() => ProbeAsync(record, spec, instance, probing.Token));
            var exitCode = await instance.Exited;
            await probing.CancelAsync();
            await probes.ContinueWith(_ => { }, TaskScheduler.Default);
            if (instance.StartFailed)
            {
                // What containerd reports when the process cannot be started (an executable that is not there).
                exitCode = 128;
            }

            var terminated = new JsonObject
            {
                ["terminated"] = new JsonObject
                {
                    ["exitCode"] = exitCode,
                    ["reason"] = instance.StartFailed ? "StartError" : exitCode == 0 ? "Completed" : "Error",
                    ["startedAt"] = ObjectStore.FormatTime(instance.StartedAt),
                    ["finishedAt"] = ObjectStore.FormatTime(instance.FinishedAt ?? DateTimeOffset.UtcNow),
                    ["containerID"] = $"runc://{instance.Id}",
                },
            };
            var restart = !_stop.IsCancellationRequested && (record.Init
                ? exitCode != 0 && Restart != "Never"
                : Restart == "Always" || (Restart == "OnFailure" && exitCode != 0));
            Set(record, r =>
            {
                r.State = terminated;
                r.Ready = false;
                r.Started = false;
                r.Previous = instance;
                r.Current = null;
                r.Done = !restart;
            });
            if (!restart)
            {
                return exitCode == 0;
            }

            var delay = backoff.Next((instance.FinishedAt ?? DateTimeOffset.UtcNow) - instance.StartedAt);
            if (delay > TimeSpan.Zero)
            {
                var seconds = delay.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
                Set(record, r =>
                {
                    r.LastState = terminated;
                    r.State = ContainerRecord.Waiting("CrashLoopBackOff", $"back-off {seconds}s restarting failed container={r.Name} pod={Name}_{Namespace}({Uid})");
                });
                _kubelet.Events.Record(_pod, "Warning", "BackOff", $"Back-off restarting failed container {record.Name} in pod {Name}_{Namespace}({Uid})", record.Name);
                await DelayAsync(delay);
            }
        }

        return false;
    }

    /// <summary>
    /// The mounts that give the container its pod's bind identity (see <see cref="BindShim"/>): the library, the pod
    /// IP it reads, and an /etc/ld.so.preload naming it (before whatever the image preloads itself).
    /// </summary>
    private async Task<IEnumerable<OciMount>> BindIdentityMountsAsync(ContainerRecord record, JsonObject pod, string imageRootFs)
    {
        var library = await BindShim.EnsureAsync(Path.Combine(_kubelet.Images.CacheDirectory, "bind-shim"));
        var directory = Path.Combine(PodDirectory, "bind-identity");
        Directory.CreateDirectory(directory);
        var podIp = Path.Combine(directory, "pod-ip");
        await File.WriteAllTextAsync(podIp, (pod["status"]?["podIP"]?.GetValue<string>() ?? "") + "\n");
        var imagePreload = Path.Combine(imageRootFs, "etc", "ld.so.preload");
        var preload = Path.Combine(directory, $"{record.Name}.ld.so.preload");
        await File.WriteAllTextAsync(preload, BindShim.LibraryPath + "\n" + (new FileInfo(imagePreload) is { Exists: true, LinkTarget: null }
            ? await File.ReadAllTextAsync(imagePreload)
            : ""));
        return
        [
            new OciMount(BindShim.LibraryPath, library, ReadOnly: true),
            new OciMount(BindShim.PodIpPath, podIp, ReadOnly: true),
            new OciMount("/etc/ld.so.preload", preload, ReadOnly: true),
        ];
    }

    private async Task<ContainerInstance> StartAsync(ContainerRecord record, JsonObject spec)
    {
        var image = await _kubelet.Images.GetAsync(record.Image);
        var pod = Snapshot();
        var env = ContainerEnvironment.Build(pod, spec, image.Config, _kubelet.Store, _kubelet.Services);
        var argv = ContainerCommand.Build(spec, image.Config, env);
        var user = ContainerUser.Resolve(pod, spec, image.Config, image.RootFs);
        var mounts = _volumes!.MountsFor(spec).Concat(await BindIdentityMountsAsync(record, pod, image.RootFs)).ToList();
        var context = spec["securityContext"] as JsonObject;
        var cwd = spec["workingDir"]?.GetValue<string>() is { Length: > 0 } w ? w : image.Config.WorkingDir is { Length: > 0 } iw ? iw : "/";
        var oci = OciSpec.Build("", context?["readOnlyRootFilesystem"]?.GetValue<bool>() ?? false, ContainerEnvironment.PodHostname(pod), argv, env, cwd, user, mounts,
            noNewPrivileges: context?["allowPrivilegeEscalation"]?.GetValue<bool>() == false);
        var attempt = record.RestartCount + (record.Previous is null ? 0 : 1);
        var id = $"{Uid[..Math.Min(8, Uid.Length)]}-{record.Name}-{attempt}-{Guid.NewGuid().ToString("N")[..6]}";
        var log = Path.Combine(PodDirectory, "logs", record.Name, $"{attempt}.log");
        if (record.Previous is null)
        {
            _kubelet.Events.Record(_pod, "Normal", "Pulled", $"Container image \"{record.Image}\" already present on machine", record.Name);
        }

        var instance = await ContainerInstance.StartAsync(_kubelet.Runc, id, Path.Combine(_kubelet.BundlesDirectory, id), image.RootFs, oci, log);
        _kubelet.Events.Record(_pod, "Normal", "Created", $"Created container {record.Name}", record.Name);
        _kubelet.Events.Record(_pod, "Normal", "Started", $"Started container {record.Name}", record.Name);
        var hasStartup = spec["startupProbe"] is JsonObject;
        var hasReadiness = spec["readinessProbe"] is JsonObject;
        Set(record, r =>
        {
            if (r.Previous is not null)
            {
                // A restart: the run that ended becomes lastState (a crash-looping one put it there already).
                if (r.State["terminated"] is not null)
                {
                    r.LastState = r.State;
                }

                r.RestartCount++;
            }

            r.ImageId = image.ImageId;
            r.Current = instance;
            r.Instances.Add(instance);
            r.State = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = ObjectStore.FormatTime(instance.StartedAt) } };
            r.Started = !hasStartup && !r.Init;
            r.Ready = !hasStartup && !hasReadiness && !r.Init;
        });
        return instance;
    }

    private async Task ProbeAsync(ContainerRecord record, JsonObject spec, ContainerInstance instance, CancellationToken cancellationToken)
    {
        var ip = Snapshot()["status"]?["podIP"]?.GetValue<string>() ?? "127.0.0.1";
        if (spec["startupProbe"] is JsonObject startup)
        {
            var started = await WatchAsync(new Probe(startup, spec), "Startup", ip, instance, record, stopOnSuccess: true, cancellationToken);
            if (!started)
            {
                return;
            }

            Set(record, r =>
            {
                r.Started = true;
                r.Ready = spec["readinessProbe"] is null;
            });
        }

        var watches = new List<Task>();
        if (spec["readinessProbe"] is JsonObject readiness)
        {
            watches.Add(WatchAsync(new Probe(readiness, spec), "Readiness", ip, instance, record, stopOnSuccess: false, cancellationToken));
        }

        if (spec["livenessProbe"] is JsonObject liveness)
        {
            watches.Add(WatchAsync(new Probe(liveness, spec), "Liveness", ip, instance, record, stopOnSuccess: false, cancellationToken));
        }

        await Task.WhenAll(watches);
    }

    /// <summary>Runs one probe every period; returns true when a startup probe succeeded, false when the container is being killed or gone.</summary>
    private async Task<bool> WatchAsync(Probe probe, string kind, string ip, ContainerInstance instance, ContainerRecord record, bool stopOnSuccess, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(probe.InitialDelay, cancellationToken);
            int successes = 0, failures = 0;
            while (!cancellationToken.IsCancellationRequested && !instance.Exited.IsCompleted)
            {
                var failure = await probe.RunAsync(ip, _kubelet.Runc, instance.Id, cancellationToken);
                if (failure is null)
                {
                    failures = 0;
                    successes++;
                    if (successes >= probe.SuccessThreshold)
                    {
                        if (stopOnSuccess)
                        {
                            return true;
                        }

                        if (kind == "Readiness")
                        {
                            Set(record, r => r.Ready = r.Current == instance);
                        }
                    }
                }
                else
                {
                    successes = 0;
                    failures++;
                    _kubelet.Events.Record(_pod, "Warning", "Unhealthy", $"{kind} probe failed: {failure}", record.Name);
                    if (failures >= probe.FailureThreshold)
                    {
                        if (kind == "Readiness")
                        {
                            Set(record, r => r.Ready = false);
                        }
                        else
                        {
                            _kubelet.Events.Record(_pod, "Normal", "Killing", $"Container {record.Name} failed {kind.ToLowerInvariant()} probe, will be restarted", record.Name);
                            _ = TerminateAsync(instance, TimeSpan.FromSeconds(GracePeriod(Snapshot())));
                            return false;
                        }
                    }
                }

                await Task.Delay(probe.Period, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }

        return false;
    }

    private async Task TerminateAllAsync(List<Task> loops)
    {
        TimeSpan grace;
        lock (_gate)
        {
            grace = _grace;
        }

        var running = _containers.Concat(_init).Select(c => c.Record.Current).OfType<ContainerInstance>().ToList();
        if (running.Count > 0 && !_removed)
        {
            foreach (var record in _containers.Select(c => c.Record).Where(r => r.Current is not null))
            {
                _kubelet.Events.Record(_pod, "Normal", "Killing", $"Stopping container {record.Name}", record.Name);
            }
        }

        await Task.WhenAll(running.Select(i => TerminateAsync(i, grace)));
        await Task.WhenAll(loops).ContinueWith(_ => { }, TaskScheduler.Default);
        foreach (var record in _containers.Concat(_init).Select(c => c.Record))
        {
            Set(record, r =>
            {
                r.Done = true;
                if (r.State["waiting"] is not null && r.Previous is null)
                {
                    r.State = new JsonObject
                    {
                        ["terminated"] = new JsonObject { ["exitCode"] = 0, ["reason"] = "ContainerStatusUnknown" },
                    };
                }
            });
        }
    }

    /// <summary>SIGTERM, then SIGKILL once the grace period is over; completes when the container has exited.</summary>
    private async Task TerminateAsync(ContainerInstance instance, TimeSpan grace)
    {
        if (instance.Exited.IsCompleted)
        {
            return;
        }

        if (grace > TimeSpan.Zero)
        {
            await instance.SignalAsync("TERM");
            try
            {
                await instance.Exited.WaitAsync(grace);
                return;
            }
            catch (TimeoutException)
            {
            }
        }

        while (!instance.Exited.IsCompleted)
        {
            await instance.SignalAsync("KILL");
            await Task.WhenAny(instance.Exited, Task.Delay(TimeSpan.FromSeconds(1)));
        }
    }

    private void Cleanup()
    {
        try
        {
            if (Directory.Exists(PodDirectory))
            {
                Directory.Delete(PodDirectory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A mount still busy: the sandbox's final cleanup removes it.
        }
    }

    private async Task DelayAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private JsonObject Snapshot()
    {
        lock (_gate)
        {
            return (JsonObject)_pod.DeepClone();
        }
    }

    private void Set(ContainerRecord record, Action<ContainerRecord> change)
    {
        lock (_gate)
        {
            change(record);
        }

        Publish();
    }

    private void TryUpdatePod(Action<JsonObject> change)
    {
        try
        {
            _kubelet.Store.Update("pods", Namespace, Name, current =>
            {
                if (current["metadata"]?["uid"]?.GetValue<string>() != Uid)
                {
                    return current;
                }

                change(current);
                return current;
            });
        }
        catch (ApiException ex) when (ex.Code == 404)
        {
        }
    }

    /// <summary>Writes the pod's status as the kubelet computes it from what it knows.</summary>
    private void Publish()
    {
        if (_removed)
        {
            return;
        }

        lock (_gate)
        {
            TryUpdatePod(pod =>
            {
                var status = JsonTree.EnsureObject(pod, "status");
                var computed = PodStatusBuilder.Build(status, _containers.Select(c => c.Record).ToList(), _init.Select(c => c.Record).ToList(),
                    _sandboxReady, _initialized, _sandboxProblem, Restart, _kubelet.Store.Now, pod["metadata"]?["deletionTimestamp"] is not null,
                    QualityOfService.Of(pod));
                foreach (var (key, value) in computed)
                {
                    status[key] = value?.DeepClone();
                }
            });
        }
    }
}
