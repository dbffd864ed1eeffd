using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Sandbox.Bench;

/// <summary>
/// ConfigMap creates per second, then replaces per second (each carrying the resourceVersion its create returned,
/// so none conflicts), at one concurrency level, through KubernetesClient over HTTP.
/// </summary>
public static class WriteThroughputBench
{
    public static async Task<IReadOnlyList<Throughput>> RunAsync(IKubernetes client, int ops, int concurrency, CancellationToken cancellationToken)
    {
        var ns = await Namespaces.CreateAsync(client, $"bench-write-c{concurrency}-{ops}", cancellationToken);
        var created = new V1ConfigMap?[ops];
        var (createTime, createFailures, createCpu) = await ConcurrentRunner.RunAsync(ops, concurrency, async i =>
        {
            created[i] = await client.CoreV1.CreateNamespacedConfigMapAsync(NewConfigMap(i), ns, cancellationToken: cancellationToken);
        }, cancellationToken);

        var (updateTime, updateFailures, updateCpu) = await ConcurrentRunner.RunAsync(ops, concurrency, async i =>
        {
            var current = created[i] ?? throw new InvalidOperationException($"configmap {i} was not created");
            current.Data["value"] = $"updated-{i}";
            await client.CoreV1.ReplaceNamespacedConfigMapAsync(current, current.Metadata.Name, ns, cancellationToken: cancellationToken);
        }, cancellationToken);

        return
        [
            new Throughput("create", concurrency, ops, createTime, createFailures, createCpu),
            new Throughput("update", concurrency, ops, updateTime, updateFailures, updateCpu),
        ];
    }

    private static V1ConfigMap NewConfigMap(int i) => new()
    {
        ApiVersion = V1ConfigMap.KubeApiVersion,
        Kind = V1ConfigMap.KubeKind,
        Metadata = new V1ObjectMeta { Name = $"cm-{i}", Labels = new Dictionary<string, string> { ["app"] = "bench" } },
        Data = new Dictionary<string, string> { ["value"] = $"created-{i}" },
    };
}
