using ErieCanal.Orleans.Grains.Mcs;
using ErieCanal.Orleans.Interfaces.Mcs;
using Xunit;
using static ErieCanal.Orleans.Grains.Tests.Mcs.McsFixtures;

namespace ErieCanal.Orleans.Grains.Tests.Mcs;

/// <summary>
/// Two members' export decisions and the merger wired as the grains wire them (contribute, answer, tell the others):
/// the conditions each ServiceExport ends with, as the conformance suite reads them.
/// </summary>
public sealed class McsExportFlowTests
{
    private readonly Dictionary<string, McsContribution> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, McsExportDecisions> _exports = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RecordingMcsExportSink> _sinks = new(StringComparer.Ordinal);

    [Theory]
    [InlineData("sctp")]
    [InlineData("tcp43")]
    [InlineData("headless")]
    public void C10_C11_C15_every_export_of_a_conflicted_service_reports_the_conflict(string second)
    {
        Observe(K1, Hello(), 0);
        var service = second switch
        {
            "sctp" => Hello(Tcp42, new McsPort("stcp", "SCTP", 142, null)),
            "tcp43" => Hello(new McsPort("tcp", "TCP", 43, null)),
            _ => Hello() with { Headless = true },
        };
        Observe(K2, service, 2);

        Assert.All([K1, K2], k => Assert.Equal(McsCondition.True, Conditions(k).Conflict!.Status));
        Assert.All([K1, K2], k => Assert.Equal((McsCondition.True, McsNames.Reasons.Exported), (Conditions(k).Ready.Status, Conditions(k).Ready.Reason)));
    }

    [Fact]
    public void The_conflict_clears_on_the_remaining_export_when_the_other_is_deleted()
    {
        Observe(K1, Hello(), 0);
        Observe(K2, Hello() with { Headless = true }, 2);
        Assert.Equal(McsCondition.True, Conditions(K1).Conflict!.Status);

        Observe(K2, null, 2);

        Assert.Equal(new McsCondition(McsCondition.False, McsNames.Reasons.NoConflicts, "ServiceExport has no conflicts"), Conditions(K1).Conflict);
    }

    private McsExportConditions Conditions(string clusterKey) => _sinks[clusterKey].LastConditions.Conditions;

    /// <summary>What McsServiceExportGrain.Observe and McsServiceImportGrain.Contribute do together, without Orleans.</summary>
    private void Observe(string clusterKey, McsServiceSnapshot? service, int seconds)
    {
        if (!_exports.TryGetValue(clusterKey, out var decisions))
        {
            _sinks[clusterKey] = new RecordingMcsExportSink();
            _exports[clusterKey] = decisions = new McsExportDecisions(clusterKey, Ns, Svc, TimeSpan.FromMinutes(5), _sinks[clusterKey]);
        }

        var id = clusterKey[(clusterKey.LastIndexOf('/') + 1)..];
        var spec = service is null ? null : new McsExportSpec($"uid-{id}", T0.AddSeconds(seconds), 1, "1", true, McsMap.Empty, McsMap.Empty);
        decisions.Observe(new McsExportObservation(spec, service, [], id), T0);
        var contribution = decisions.CurrentContribution;
        if (contribution is null)
            _held.Remove(clusterKey);
        else
            _held[clusterKey] = contribution;

        var verdict = McsImportMerger.Merge(Ns, Svc, 1, _held.Values).Verdict;
        decisions.Contributed(contribution, contribution is null ? null : verdict, T0);
        decisions.SendStatus();
        foreach (var other in _held.Keys.Where(k => k != clusterKey))
            _exports[other].SetVerdict(verdict);
    }
}
