using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Tests.Queues;
using ErieCanal.Orleans.Watchers.Writers;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace ErieCanal.Orleans.Watchers.Tests.Writers;

/// <summary>The failover recorder alone: which landed routings are transitions, and what the gauge reads.</summary>
public sealed class FailoverRecorderTests
{
    private const string M2 = "r/z/g/m2";
    private const string M3 = "r/z/g/m3";
    // A namespace of its own: the failover counter is process-wide, and RoutingTransitionTests counts ns/web in parallel.
    private static readonly WorkKey Web = new(WorkTarget.ServiceImport, "recorder", "web");
    private readonly FakeMemberImportApi _api = new();
    private readonly RecordingLogger _logger = new();
    private readonly FailoverRecorder _recorder;

    public FailoverRecorderTests()
    {
        _recorder = new FailoverRecorder("r/z/g/recorder-consumer", _api, new FakeTimeProvider(), _logger);
    }

    [Fact]
    public async Task The_state_before_a_first_write_is_what_the_member_showed()
    {
        // The member showed m2 taking traffic (written by an earlier engine): m2 going Unhealthy now is a failover.
        await _recorder.LandedAsync(Web, Routing((M2, EndpointStates.Unhealthy), (M3, EndpointStates.Active)), Shown((M2, EndpointStates.Active), (M3, EndpointStates.Active)), CancellationToken.None);

        var told = Assert.Single(_api.Events);
        Assert.Equal(("recorder/web", true, RoutingEvents.FailedOver), (told.Import, told.Warning, told.Reason));
        Assert.Contains($"Endpoints of member {M2} are Unhealthy ({RoutingEvents.UnknownReason})", told.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forgotten_import_starts_again_with_no_transition_and_leaves_the_gauge()
    {
        await _recorder.LandedAsync(Web, Routing((M2, EndpointStates.Active), (M3, EndpointStates.Active)), null, CancellationToken.None);
        Assert.Equal([("recorder/web", M2, 1), ("recorder/web", M3, 1)], _recorder.ActiveEndpointsByMember().Order());

        // The member lost the import: the routing it gets next is a first one, whatever it says.
        _recorder.Forget(Web);
        Assert.Empty(_recorder.ActiveEndpointsByMember());
        await _recorder.LandedAsync(Web, Routing((M2, EndpointStates.Unhealthy), (M3, EndpointStates.Active)), null, CancellationToken.None);
        Assert.Empty(_api.Events);
        Assert.Equal([("recorder/web", M2, 0), ("recorder/web", M3, 1)], _recorder.ActiveEndpointsByMember().Order());
    }

    [Fact]
    public async Task An_event_the_member_refuses_is_logged_and_the_routing_stays_recorded()
    {
        await _recorder.LandedAsync(Web, Routing((M2, EndpointStates.Active), (M3, EndpointStates.Active)), null, CancellationToken.None);
        _api.FailWith = "forbidden";
        await _recorder.LandedAsync(Web, Routing((M2, EndpointStates.Unhealthy), (M3, EndpointStates.Active)), null, CancellationToken.None);

        // Told (and refused) once; the same routing again is no transition.
        _api.FailWith = null;
        await _recorder.LandedAsync(Web, Routing((M2, EndpointStates.Unhealthy), (M3, EndpointStates.Active)), null, CancellationToken.None);
        Assert.Empty(_api.Events);
        Assert.Single(_logger.Lines, l => l.Message.Contains($"Could not record the {RoutingEvents.FailedOver} Event", StringComparison.Ordinal));
    }

    private static PatchRouting Routing(params (string Member, string State)[] endpoints) => new("recorder", "web", Shown(endpoints)!);

    private static Routing? Shown(params (string Member, string State)[] endpoints) =>
        new(LbTypes.ActiveActive, null,
            [new RoutePort("http", "TCP", 80, [.. endpoints.Select(e => new RouteEndpoint(e.Member, $"{e.Member}.gw", "127.0.0.1", 8080, "/", 1, e.State))])],
            endpoints.Count(e => e.State == EndpointStates.Active), []);
}
