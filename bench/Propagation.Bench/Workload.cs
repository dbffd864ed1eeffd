using System.Globalization;
using System.Net;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ErieCanal.Orleans.Propagation.Bench;

/// <summary>
/// Which service lives where: service i is <c>bench-(i / members) % namespaces</c>/<c>svc-i</c> in member
/// <c>cluster-(i % members + 1)</c>. Selector-less ClusterIP Services on port 8080 and their ServiceExports.
/// </summary>
public sealed class Workload(BenchSettings settings)
{
    public int Count => settings.Services * 3;

    public IReadOnlyList<string> MemberNames { get; } = Enumerable.Range(1, settings.Members).Select(m => $"cluster-{m}").ToList();

    public IEnumerable<string> NamespaceNames => Enumerable.Range(0, settings.Namespaces).Select(n => $"bench-{n}");

    public string MemberOf(int i) => MemberNames[i % settings.Members];

    public string NamespaceOf(int i) => $"bench-{i / settings.Members % settings.Namespaces}";

    public static string NameOf(int i) => $"svc-{i.ToString("D5", CultureInfo.InvariantCulture)}";

    /// <summary>The index of a benchmark object's namespace/name, or -1 for anything else.</summary>
    public int IndexOf(string ns, string name) =>
        ns.StartsWith("bench-", StringComparison.Ordinal) && name.StartsWith("svc-", StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < Count
            ? i
            : -1;

    public async Task CreateNamespacesAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        foreach (var ns in NamespaceNames)
        {
            try
            {
                await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
            {
            }
        }
    }

    public Task CreateServiceAsync(IKubernetes client, int i, CancellationToken cancellationToken) =>
        client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = NameOf(i), NamespaceProperty = NamespaceOf(i) },
            Spec = new V1ServiceSpec { Type = "ClusterIP", Ports = [new V1ServicePort { Name = "http", Port = 8080, TargetPort = 8080, Protocol = "TCP" }] },
        }, NamespaceOf(i), cancellationToken: cancellationToken);

    public Task CreateExportAsync(IKubernetes client, int i, CancellationToken cancellationToken) =>
        client.CustomObjects.CreateNamespacedCustomObjectAsync(new ServiceExportResource
        {
            Metadata = new V1ObjectMeta { Name = NameOf(i), NamespaceProperty = NamespaceOf(i) },
            Spec = new ServiceExportSpec { ServiceAccountName = "*" },
        }, ServiceExportResource.Group, ServiceExportResource.Version, NamespaceOf(i), ServiceExportResource.Plural, cancellationToken: cancellationToken);
}
