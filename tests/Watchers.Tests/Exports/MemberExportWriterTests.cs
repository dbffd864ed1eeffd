using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Exports;
using ErieCanal.Orleans.Watchers.Queues;
using ErieCanal.Orleans.Watchers.Tests.Queues;
using ErieCanal.Orleans.Watchers.Writers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace ErieCanal.Orleans.Watchers.Tests.Exports;

/// <summary>The per-member export engine against a member in memory: no sandbox, no silo.</summary>
public sealed class MemberExportWriterTests : IAsyncLifetime
{
    private static readonly ExportStatus Exported = new(true, true, ConditionReasons.Exported, "exported", ConflictVerdict.None);
    private readonly FakeMemberExportApi _api = new();
    private readonly FakeTimeProvider _clock = new();
    private readonly RecordingLogger _logger = new();
    private MemberExportWriter _writer = null!;

    public Task InitializeAsync()
    {
        var retry = new RetryOptions { InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(4) };
        _writer = new MemberExportWriter("r/z/g/m1", _api, new WriterSettings(4, retry, TimeSpan.FromSeconds(10)), _clock, _logger);
        _writer.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _writer.DisposeAsync();

    [Fact]
    public async Task The_Ingress_and_the_conditions_are_written_and_a_condition_turning_bad_is_told_as_an_Event()
    {
        _writer.Submit(new ApplyExportIngress("ns", "web", Ingress("/api")));
        _writer.Submit(Conditions("ns", "web", Exported));
        await _writer.WhenSettledAsync("ns", "web").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, _api.CountOf("apply ns/web /api"));
        Assert.Equal(1, _api.CountOf("conditions ns/web Exported"));

        // A first Valid=True is no news; a turn to Valid=False is, and is told once.
        Assert.Equal(0, _api.CountOf("event"));
        _writer.Submit(Conditions("ns", "web", Exported with { Valid = false, ValidReason = ConditionReasons.NoService }));
        await Eventually.Until(() => _api.CountOf("event ns/web NoService") == 1, "the transition told");
        Assert.Equal(0, _writer.Pending);
    }

    [Fact]
    public async Task Work_decided_while_the_member_is_slow_is_merged_and_the_newest_lands()
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _api.Hold = hold;
        _writer.Submit(new ApplyExportIngress("ns", "web", Ingress("/one")));
        await Eventually.Until(() => _api.Entered == 1, "the first apply is in flight");

        // Decided while the first is held: only the newest of them is written after it.
        _writer.Submit(new ApplyExportIngress("ns", "web", Ingress("/two")));
        _writer.Submit(new ApplyExportIngress("ns", "web", Ingress("/three")));
        _api.Hold = null;
        hold.SetResult();
        await _writer.WhenSettledAsync("ns", "web").WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["apply ns/web /one", "apply ns/web /three"], _api.Calls.ToArray());
    }

    [Fact]
    public async Task A_failing_write_is_retried_with_backoff_logged_once_and_lands_when_the_member_is_back()
    {
        _api.FailWith = "connection refused";
        _writer.Submit(new DeleteExportIngress("ns", "gone"));

        // A caller waiting for the export is let go once the work failed: the retries go on without it.
        await _writer.WhenSettledAsync("ns", "gone").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, _writer.Pending);
        await Eventually.Until(() => _logger.Count(LogLevel.Warning) == 1, "failure logged once");
        _api.FailWith = null;

        // The retry's timer is set after the failure is logged: keep the fake clock moving until the backoff passed.
        await Eventually.Until(() =>
        {
            _clock.Advance(TimeSpan.FromSeconds(4));
            return _api.CountOf("delete ns/gone") == 1 && _writer.Pending == 0;
        }, "deleted once the member is back");
        Assert.Equal(1, _logger.Count(LogLevel.Warning));
    }

    [Fact]
    public async Task A_write_RBAC_refuses_is_told_once_as_a_Forbidden_Event_naming_verb_and_resource_and_its_return_once()
    {
        _api.ForbidIngresses = true;
        _writer.Submit(new ApplyExportIngress("ns", "web", Ingress("/api")));
        await Eventually.Until(() => _api.CountOf("event ns/web Forbidden") == 1, "the refusal told");
        var told = _api.Calls.Single(c => c.StartsWith("event ns/web Forbidden", StringComparison.Ordinal));
        Assert.Contains("cannot patch resource \"ingresses\"", told, StringComparison.Ordinal);

        // Retries go on, quietly: the Event is not repeated per retry.
        for (var i = 0; i < 3; i++)
        {
            var entered = _api.Entered;
            await Eventually.Until(() =>
            {
                _clock.Advance(TimeSpan.FromSeconds(4));
                return _api.Entered > entered;
            }, "another retry");
        }

        Assert.Equal(1, _api.CountOf("event ns/web Forbidden"));

        // The role fixed: the Ingress lands and the export says so once.
        _api.ForbidIngresses = false;
        await Eventually.Until(() =>
        {
            _clock.Advance(TimeSpan.FromSeconds(4));
            return _api.CountOf("apply ns/web /api") == 1 && _api.CountOf("event ns/web AccessRestored") == 1;
        }, "written and told once the role allows it");
    }

    [Fact]
    public async Task A_leaving_member_clears_the_conditions_in_place_of_a_pending_write()
    {
        // One worker, held by another export's delete: the conditions cannot start before the clear replaces them
        // (with more workers an idle one may take the conditions between the two submits).
        await _writer.DisposeAsync();
        _writer = new MemberExportWriter("r/z/g/m1", _api, new WriterSettings(1, new RetryOptions(), TimeSpan.FromSeconds(10)), _clock, _logger);
        _writer.Start();
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _api.Hold = hold;
        _writer.Submit(new DeleteExportIngress("ns", "held"));
        await Eventually.Until(() => _api.Entered == 1, "the delete is in flight");
        _writer.Submit(Conditions("ns", "web", Exported));
        _writer.Submit(new ClearExportConditions("ns", "web"));
        _api.Hold = null;
        hold.SetResult();

        await _writer.WhenSettledAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, _api.CountOf("conditions ns/web"));
        Assert.Equal(1, _api.CountOf("clear ns/web"));
    }

    [Fact]
    public async Task A_stopped_engine_takes_no_more_work_and_lets_its_waiters_go()
    {
        await _writer.StopAsync();
        _writer.Submit(new DeleteExportIngress("ns", "late"));

        await _writer.WhenSettledAsync("ns", "late").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(_api.Calls);
    }

    private static WriteExportConditions Conditions(string ns, string name, ExportStatus status) => new(ns, name, "uid-1", 1, status);

    private static ExportIngress Ingress(string path) => new("erie-canal-orleans", [new IngressPath(path, "Prefix", "web", 80)], null, null, "uid-1");
}
