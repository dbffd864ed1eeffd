using System.Diagnostics;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using Xunit.Abstractions;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>Reads endpoint states from a ServiceImport's routing status as written into a consuming member.</summary>
internal static class HealthRouting
{
    /// <summary>The states of <paramref name="clusterKey"/>'s endpoints (one per port), empty when it has none.</summary>
    public static IReadOnlyList<string> States(ServiceImportResource? import, string clusterKey) =>
        import?.Status?.Routing?["ports"]?.AsArray()
            .SelectMany(p => p!["endpoints"]!.AsArray())
            .Where(e => e!["clusterKey"]!.GetValue<string>() == clusterKey)
            .Select(e => e!["state"]!.GetValue<string>())
            .ToList() ?? [];

    /// <summary>True when every endpoint of the cluster is in <paramref name="state"/> (and there is at least one).</summary>
    public static bool All(ServiceImportResource? import, string clusterKey, string state) =>
        States(import, clusterKey) is { Count: > 0 } states && states.All(s => s == state);

    /// <summary>Waits until the cluster's endpoints of ns/name in the consumer are all in <paramref name="state"/>; prints how long it took.</summary>
    public static async Task<ServiceImportResource?> WaitAsync(
        IKubernetes consumer, string ns, string name, string clusterKey, string state, string what, Stopwatch since, ITestOutputHelper output)
    {
        var import = await Eventually.Until(() => Manifests.GetImportAsync(consumer, ns, name), i => All(i, clusterKey, state), what);
        output.WriteLine($"{what}: {since.Elapsed.TotalSeconds:0.00} s");
        return import;
    }
}
