using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using System.Diagnostics;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Queues;
using ErieCanal.Orleans.Watchers.Tests.Queues;
using ErieCanal.Orleans.Watchers.Writers;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Tests.Writers;

/// <summary>
/// What the engine records once a routing patch landed: failovers and failbacks counted and timed, one Event per
/// transition on the ServiceImport (never per retry), spans under the deciding change, propagation latency.
/// </summary>
public sealed class RoutingTransitionTests : IAsyncLifetime
{
    // Unique to this class: instruments are process-wide, measurements are filtered by it.
    private const string Consumer = "r/z/g/transitions-consumer";
    private const string M2 = "r/z/g/m2";
    private const string M3 = "r/z/g/m3";
    private readonly FakeMemberImportApi _api = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2025-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly MeterListener _meters = new();
    private MemberImportWriter _writer = null!;

    public async Task InitializeAsync()
    {
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "ErieCanal.Orleans")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _meters.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _meters.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _meters.Start();

        var retry = new RetryOptions { InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(4) };
        _writer = new MemberImportWriter(Consumer, _api, new WriterSettings(4, retry, TimeSpan.FromSeconds(10)), _clock, new RecordingLogger());
        _writer.Start();
        var handler = await _api.Watching.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await handler.OnSyncedAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _meters.Dispose();
        await _writer.DisposeAsync();
    }

    [Fact]
    public async Task A_member_failing_over_and_back_is_counted_timed_and_told_once_per_transition()
    {
        _writer.Submit(Apply("ns", "web"));
        _writer.Submit(Routing("ns", "web", (M2, EndpointStates.Active), (M3, EndpointStates.Active)));
        await Eventually.Until(() => _api.CountOf("routing") == 1, "first routing written");
        Assert.Empty(_api.Events);

        // The gateway of m2 was first seen failing 3 s before the routing is decided; the first patch fails once.
        var since = _clock.GetUtcNow() - TimeSpan.FromSeconds(3);
        _api.FailWith = "member unreachable";
        _writer.Submit(Routing("ns", "web", (M2, EndpointStates.Unhealthy), (M3, EndpointStates.Active)) with
        {
            Causes = ImmutableDictionary<string, RoutingCause>.Empty.Add(M2, new RoutingCause(ConditionReasons.GatewayUnreachable, since)),
        });
        await Eventually.Until(() => _measurements.Any(m => m.Instrument == "eriecanal.serviceimport.write_failures"), "the patch failed");
        _api.FailWith = null;
        await AdvanceUntil(() => _api.CountOf("routing") == 2, "routing patched after the retry");
        await Eventually.Until(() => _api.Events.Count == 1, "the FailedOver Event");

        var failedOver = Assert.Single(_api.Events);
        Assert.Equal(("ns/web", true, RoutingEvents.FailedOver), (failedOver.Import, failedOver.Warning, failedOver.Reason));
        Assert.Contains(M2, failedOver.Message, StringComparison.Ordinal);
        Assert.Contains(ConditionReasons.GatewayUnreachable, failedOver.Message, StringComparison.Ordinal);
        Assert.Contains($"traffic goes to {M3}", failedOver.Message, StringComparison.Ordinal);

        var failovers = Measured("eriecanal.failovers").Where(m => (string?)m.Tags["service"] == "ns/web").ToList();
        var counted = Assert.Single(failovers);
        Assert.Equal((M2, ConditionReasons.GatewayUnreachable, "failover"), ((string?)counted.Tags["member"], (string?)counted.Tags["reason"], (string?)counted.Tags["direction"]));
        var duration = Assert.Single(Measured("eriecanal.failover.duration"), m => (string?)m.Tags["consuming_member"] == Consumer);
        Assert.True(duration.Value >= 3, $"duration {duration.Value}s from the fault first seen");
        Assert.Equal(M2, duration.Tags["member"]);

        // The same routing again is no transition; the failback is one Normal Event.
        _writer.Submit(Routing("ns", "web", (M2, EndpointStates.Unhealthy), (M3, EndpointStates.Active)));
        _writer.Submit(Routing("ns", "web", (M2, EndpointStates.Active), (M3, EndpointStates.Active)) with
        {
            Causes = ImmutableDictionary<string, RoutingCause>.Empty.Add(M2, new RoutingCause(ConditionReasons.ProbesSucceeded, _clock.GetUtcNow())),
        });
        await Eventually.Until(() => _api.Events.Count == 2, "the FailedBack Event");
        var failedBack = _api.Events.Last();
        Assert.Equal((false, RoutingEvents.FailedBack), (failedBack.Warning, failedBack.Reason));
        Assert.Contains(ConditionReasons.ProbesSucceeded, failedBack.Message, StringComparison.Ordinal);
        Assert.Equal(2, Measured("eriecanal.failovers").Count(m => (string?)m.Tags["service"] == "ns/web"));
    }

    [Fact]
    public async Task A_routing_first_written_with_a_member_down_is_no_failover()
    {
        _writer.Submit(Apply("ns", "late"));
        _writer.Submit(Routing("ns", "late", (M2, EndpointStates.Unhealthy), (M3, EndpointStates.Active)));
        await Eventually.Until(() => _api.CountOf("routing") == 1, "routing written");
        await Eventually.Until(() => _writer.Pending == 0, "idle");
        Assert.Empty(_api.Events);
        Assert.DoesNotContain(Measured("eriecanal.failovers"), m => (string?)m.Tags["service"] == "ns/late");

        // Active endpoints per exporting member, as written here.
        Assert.Contains(_writer.ActiveEndpointsByMember(), a => a == ("ns/late", M2, 0));
        Assert.Contains(_writer.ActiveEndpointsByMember(), a => a == ("ns/late", M3, 1));
    }

    [Fact]
    public async Task Writes_are_spans_of_the_deciding_change_and_an_export_change_is_timed_to_its_apply()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "ErieCanal.Orleans",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var parent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var observed = _clock.GetUtcNow() - TimeSpan.FromSeconds(2);

        _writer.Submit(Apply("ns", "traced") with { Origin = new WorkOrigin(parent, observed) });
        await Eventually.Until(() => _api.CountOf("apply") == 1, "applied");

        var apply = await Eventually.Until(() => Task.FromResult(spans.FirstOrDefault(s => s.OperationName == "ServiceImport.Apply" && (string?)s.GetTagItem("eriecanal.service") == "ns/traced")),
            s => s is not null, "the apply span");
        Assert.Equal(parent.TraceId, apply!.TraceId);
        Assert.Equal(parent.SpanId, apply.ParentSpanId);
        Assert.Equal(Consumer, apply.GetTagItem("eriecanal.member"));
        var latency = await Eventually.Until(() => Task.FromResult(Measured("eriecanal.import.propagation_latency").Where(m => (string?)m.Tags["consuming_member"] == Consumer).ToList()),
            l => l.Count > 0, "propagation latency recorded");
        Assert.True(latency.Single().Value >= 2, $"latency {latency.Single().Value}s since observed");
    }

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        var dictionary = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            dictionary[tag.Key] = tag.Value;
        }

        _measurements.Enqueue((instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), dictionary));
    }

    /// <summary>Measurements of this class's writer (failovers carry no consuming member: their service is unique here).</summary>
    private List<(string Instrument, double Value, Dictionary<string, object?> Tags)> Measured(string instrument) =>
        [.. _measurements.Where(m => m.Instrument == instrument && (!m.Tags.TryGetValue("consuming_member", out var c) || (string?)c == Consumer))];

    /// <summary>Moves the fake clock until the retry's backoff has passed and the condition holds.</summary>
    private async Task AdvanceUntil(Func<bool> condition, string what) =>
        await Eventually.Until(() =>
        {
            _clock.Advance(TimeSpan.FromMilliseconds(500));
            return condition();
        }, what);

    private static ApplyImport Apply(string ns, string name) =>
        new(ns, name, new ServiceImportResource { Metadata = new V1ObjectMeta { NamespaceProperty = ns, Name = name } }, $"hash-{name}");

    private static PatchRouting Routing(string ns, string name, params (string Member, string State)[] endpoints) =>
        new(ns, name, new Routing(LbTypes.ActiveActive, null,
            [new RoutePort("http", "TCP", 80, [.. endpoints.Select(e => new RouteEndpoint(e.Member, $"{e.Member}.gw", "127.0.0.1", 8080, "/", 1, e.State))])],
            endpoints.Count(e => e.State == EndpointStates.Active), ImmutableArray<string>.Empty));
}
