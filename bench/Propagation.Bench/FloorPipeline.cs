using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Autorest;

namespace ErieCanal.Orleans.Propagation.Bench;

/// <summary>
/// The floor: the least a propagation pipeline can do over the same API. It lists and watches ServiceExports in every
/// member and, for the first sighting of each, creates a ServiceImport (one port, one endpoint: the exporting
/// member's gateway) in every member with one plain create call. Each member has its own client and a fixed pool of
/// writers, as each of the system's member writers does. No Service lookup, no merge, no status, no health.
/// </summary>
public sealed class FloorPipeline : IPropagationPipeline
{
    private readonly IReadOnlyList<(string Name, IKubernetes Client, int GatewayPort)> _members;
    private readonly int _writers;
    private readonly ConcurrentDictionary<string, bool> _started = new(StringComparer.Ordinal);
    private readonly Channel<(string Ns, string Name, int Exporter)>[] _queues;
    private readonly CancellationTokenSource _stop = new();
    private Task[] _running = [];
    private int _writeFailures;

    public FloorPipeline(IReadOnlyList<(string Name, IKubernetes Client, int GatewayPort)> members, int writersPerMember)
    {
        _members = members;
        _writers = writersPerMember;
        _queues = members.Select(_ => Channel.CreateUnbounded<(string, string, int)>()).ToArray();
    }

    public string Name => "floor";

    /// <summary>Create calls that failed for another reason than "already exists" (each was retried).</summary>
    public int WriteFailures => Volatile.Read(ref _writeFailures);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var watches = _members.Select((m, exporter) => new CustomObjectWatch(m.Client, ServiceExportResource.Plural, (type, ns, name, _) => OnExport(exporter, type, ns, name))).ToList();
        _running =
        [
            .. watches.Select(w => Task.Run(() => w.RunAsync(_stop.Token), CancellationToken.None)),
            .. _queues.SelectMany((queue, target) => Enumerable.Range(0, _writers).Select(_ => Task.Run(() => WriteAsync(queue.Reader, _members[target].Client), CancellationToken.None))),
        ];
        return Task.CompletedTask;
    }

    private void OnExport(int exporter, WatchEventType type, string ns, string name)
    {
        if (type != WatchEventType.Added || !_started.TryAdd($"{ns}/{name}", true))
        {
            return;
        }

        foreach (var queue in _queues)
        {
            queue.Writer.TryWrite((ns, name, exporter));
        }
    }

    private async Task WriteAsync(ChannelReader<(string Ns, string Name, int Exporter)> queue, IKubernetes client)
    {
        try
        {
            await foreach (var (ns, name, exporter) in queue.ReadAllAsync(_stop.Token))
            {
                while (true)
                {
                    try
                    {
                        await client.CustomObjects.CreateNamespacedCustomObjectAsync(Import(ns, name, _members[exporter]), ServiceImportResource.Group, ServiceImportResource.Version, ns, ServiceImportResource.Plural, cancellationToken: _stop.Token);
                        break;
                    }
                    catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
                    {
                        break;
                    }
                    catch (Exception) when (!_stop.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref _writeFailures);
                        await Task.Delay(TimeSpan.FromMilliseconds(200), _stop.Token);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private static JsonObject Import(string ns, string name, (string Name, IKubernetes Client, int GatewayPort) exporter) => new()
    {
        ["apiVersion"] = ServiceImportResource.GroupVersion,
        ["kind"] = "ServiceImport",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["labels"] = new JsonObject { [ServiceImportResource.ManagedByLabel] = "propagation-bench-floor" },
        },
        ["spec"] = new JsonObject
        {
            ["type"] = "ClusterSetIP",
            ["sessionAffinity"] = "None",
            ["ports"] = new JsonArray(new JsonObject
            {
                ["name"] = "http",
                ["protocol"] = "TCP",
                ["port"] = 8080,
                ["endpoints"] = new JsonArray(new JsonObject
                {
                    ["clusterKey"] = $"default/default/default/{exporter.Name}",
                    ["target"] = new JsonObject { ["host"] = "127.0.0.1", ["ip"] = "127.0.0.1", ["port"] = exporter.GatewayPort, ["path"] = "/" },
                }),
            }),
        },
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_running);
        _stop.Dispose();
    }
}
