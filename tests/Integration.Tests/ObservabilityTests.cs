using System.Collections.Concurrent;
using System.Diagnostics;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Silo.Observability;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Hosting;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// Grain-level observability seen from outside: the silo's Prometheus endpoint (the silo's own wiring, served over
/// a real socket next to the in-process silos) shows a member's failover, the consuming member's ServiceImport
/// tells it as Events, and one export change is one trace down to the write into every member. Own sandbox: this
/// stops a gateway.
/// </summary>
public sealed class ObservabilityTests(ReconcilerFixture fixture) : IClassFixture<ReconcilerFixture>, IAsyncLifetime
{
    private const string Cluster1 = "default/default/default/cluster-1";
    private const string Cluster3 = "default/default/default/cluster-3";
    private WebApplication _metrics = null!;
    private Uri _scrape = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Metrics:Enabled"] = "true" });
        builder.Services.AddErieCanalTelemetry(builder.Configuration);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _metrics = builder.Build();
        _metrics.MapErieCanalMetrics();
        await _metrics.StartAsync();
        _scrape = new Uri(new Uri(_metrics.Urls.Single()), "/metrics");
    }

    public async Task DisposeAsync() => await _metrics.DisposeAsync();

    [Fact]
    public async Task A_member_whose_gateway_fails_shows_in_metrics_and_as_Events_on_the_consuming_ServiceImport()
    {
        const string ns = "observed";
        using var c1 = fixture.Client("cluster-1");
        using var c2 = fixture.Client("cluster-2");
        using var c3 = fixture.Client("cluster-3");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Workloads.DeployAsync(c1, ns, "web");
        await Workloads.DeployAsync(c2, ns, "web");
        await Workloads.ExportAsync(c1, ns, "web");
        await Workloads.ExportAsync(c2, ns, "web");
        await Workloads.ApplyPolicyAsync(c3, ns, "web", LbTypes.ActiveActive);
        await Eventually.Until(() => Manifests.GetImportAsync(c3, ns, "web"),
            i => StateOf(i, Cluster1) == EndpointStates.Active && i!.Status?.Routing?["activeEndpoints"]?.GetValue<int>() == 2, "both endpoints active in cluster-3");

        var before = await Eventually.Until(() => PrometheusScrape.GetAsync(http, _scrape),
            s => s.Sum("eriecanal_member_healthy", ("member", Cluster1)) == 1
                && s.Sum("eriecanal_serviceimport_active_endpoints", ("service", $"{ns}/web"), ("consuming_member", Cluster3), ("member", Cluster1)) == 1,
            "cluster-1 healthy with one active endpoint in cluster-3's routing, on /metrics");
        var failoversBefore = before.Sum("eriecanal_failovers_total", ("member", Cluster1), ("direction", "failover"));
        var durationsBefore = before.Sum("eriecanal_failover_duration_seconds_count", ("member", Cluster1), ("direction", "failover"));

        await fixture.Member("cluster-1").Gateway.StopAsync();
        try
        {
            await Eventually.Until(() => Manifests.GetImportAsync(c3, ns, "web"),
                i => StateOf(i, Cluster1) == EndpointStates.Unhealthy, "cluster-1 marked Unhealthy in cluster-3's routing status", TimeSpan.FromSeconds(90));
            var after = await Eventually.Until(() => PrometheusScrape.GetAsync(http, _scrape),
                s => s.Sum("eriecanal_member_healthy", ("member", Cluster1)) == 0
                    && s.Sum("eriecanal_failovers_total", ("member", Cluster1), ("service", $"{ns}/web"), ("direction", "failover")) > 0
                    && s.Sum("eriecanal_failover_duration_seconds_count", ("member", Cluster1), ("consuming_member", Cluster3), ("direction", "failover")) > 0
                    && s.Sum("eriecanal_serviceimport_active_endpoints", ("service", $"{ns}/web"), ("consuming_member", Cluster3), ("member", Cluster1)) == 0,
                "the failover series of cluster-1 on /metrics (its endpoint no longer active in cluster-3)", TimeSpan.FromSeconds(90));
            Assert.True(after.Sum("eriecanal_failovers_total", ("member", Cluster1), ("direction", "failover")) > failoversBefore);
            Assert.True(after.Sum("eriecanal_failover_duration_seconds_count", ("member", Cluster1), ("direction", "failover")) > durationsBefore);
            Assert.Contains(after, s => s.Name == "eriecanal_failovers_total" && s.Labels.GetValueOrDefault("member") == Cluster1 && s.Labels.GetValueOrDefault("reason") == ConditionReasons.GatewayUnreachable);
            Assert.Equal(0, after.Sum("eriecanal_serviceimport_active_endpoints", ("service", $"{ns}/web"), ("consuming_member", Cluster3), ("member", Cluster1)));

            var failedOver = await Eventually.Until(() => EventsOnImportAsync(c3, ns, "web"), e => e.Any(x => x.Reason == "FailedOver"),
                "a FailedOver Event on the ServiceImport in cluster-3", TimeSpan.FromSeconds(30));
            var warning = failedOver.First(e => e.Reason == "FailedOver");
            Assert.Equal("Warning", warning.Type);
            Assert.Contains(Cluster1, warning.Message, StringComparison.Ordinal);
            Assert.Contains(ConditionReasons.GatewayUnreachable, warning.Message, StringComparison.Ordinal);
            Assert.Contains("default/default/default/cluster-2", warning.Message, StringComparison.Ordinal);
            Assert.Equal("ServiceImport", warning.InvolvedObject.Kind);
        }
        finally
        {
            await fixture.Member("cluster-1").Gateway.StartAsync();
        }

        var back = await Eventually.Until(() => EventsOnImportAsync(c3, ns, "web"), e => e.Any(x => x.Reason == "FailedBack"),
            "a FailedBack Event once cluster-1 recovered", TimeSpan.FromSeconds(90));
        Assert.Equal("Normal", back.First(e => e.Reason == "FailedBack").Type);
        Assert.Single(back, e => e.Reason == "FailedOver");
        await Eventually.Until(() => PrometheusScrape.GetAsync(http, _scrape), s => s.Sum("eriecanal_member_healthy", ("member", Cluster1)) == 1, "cluster-1 healthy again on /metrics");
    }

    [Fact]
    public async Task One_export_change_is_one_trace_down_to_the_write_into_every_member()
    {
        const string ns = "traced";
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "ErieCanal.Orleans",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var c1 = fixture.Client("cluster-1");
        await Workloads.DeployAsync(c1, ns, "api");
        await Workloads.ExportAsync(c1, ns, "api");

        var members = fixture.Environment.Members.Select(m => m.Name).ToList();
        foreach (var member in members)
        {
            using var client = fixture.Client(member);
            await Eventually.Until(() => Manifests.GetImportAsync(client, ns, "api"), i => i is not null, $"imported into {member}");
        }

        var keys = members.Select(m => $"default/default/default/{m}").ToList();
        var trace = await Eventually.Until(() => Task.FromResult(spans.Where(s => (string?)s.GetTagItem("eriecanal.service") == $"{ns}/api").GroupBy(s => s.TraceId)
                .FirstOrDefault(t => t.Any(s => s.OperationName == "ServiceImport.ExportChanged")
                    && keys.All(k => t.Any(s => s.OperationName == "ServiceImport.Apply" && (string?)s.GetTagItem("eriecanal.member") == k)))),
            t => t is not null, "one trace from the export change to the apply into every member");

        // Grain spans and write spans: the writers' accept is the parent of their member's apply.
        var accepts = trace!.Where(s => s.OperationName == "ImportWriter.Accept").ToList();
        Assert.Equal(keys.Order(), accepts.Select(a => (string)a.GetTagItem("eriecanal.member")!).Distinct().Order());
        Assert.All(trace!.Where(s => s.OperationName == "ServiceImport.Apply"), apply =>
            Assert.Contains(accepts, a => a.SpanId == apply.ParentSpanId && Equals(a.GetTagItem("eriecanal.member"), apply.GetTagItem("eriecanal.member"))));
    }

    private static async Task<IReadOnlyList<k8s.Models.Corev1Event>> EventsOnImportAsync(IKubernetes client, string ns, string name) =>
        [.. (await client.CoreV1.ListNamespacedEventAsync(ns)).Items.Where(e => e.InvolvedObject?.Name == name && e.InvolvedObject.Kind == "ServiceImport")];

    private static string? StateOf(ServiceImportResource? import, string clusterKey) =>
        import?.Status?.Routing?["ports"]?.AsArray()
            .SelectMany(p => p!["endpoints"]!.AsArray())
            .FirstOrDefault(e => e!["clusterKey"]!.GetValue<string>() == clusterKey)?["state"]?.GetValue<string>();
}
