using System.Text.Json.Nodes;
using ErieCanal.Orleans.Chaos.Bench;
using Xunit;
using Xunit.Abstractions;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// The chaos benchmark's short seeded run (bench/Chaos.Bench): two silo processes on a real store (redis-server, and
/// Azurite's Table service for Azure Table storage), seeded operations on three members interleaved with a silo kill -9, a store restart, a member offline, a compaction and
/// the control plane offline; afterwards every member's ServiceImports and routing equal the independent oracle's.
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output)
{
    private static readonly ChaosSettings Settings = new()
    {
        Mode = "test",
        Seed = 9,
        Store = StoreKind.Redis,
        Operations = 80,
        Services = 4,
        Silos = 2,
        Faults = [FaultKind.MemberCompacted, FaultKind.SiloKill, FaultKind.StoreRestart, FaultKind.MemberOffline, FaultKind.ControlPlaneOffline],
        OperationsPerFault = 5,
        MinimumHold = TimeSpan.FromSeconds(3),
        MaximumPause = TimeSpan.FromMilliseconds(40),
        ConvergenceTimeout = TimeSpan.FromSeconds(90),
    };

    [Theory]
    [InlineData(StoreKind.Redis)]
    [InlineData(StoreKind.AzureTable)]
    public async Task A_seeded_run_of_operations_and_faults_converges_with_nothing_lost_or_extra(StoreKind store)
    {
        var directory = Path.Combine(Path.GetTempPath(), "erie-canal-chaos-tests", Guid.NewGuid().ToString("N"));
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var settings = Settings with { Store = store };
        ChaosResult result;
        try
        {
            result = await ChaosRun.RunAsync(settings, directory, output.WriteLine, deadline.Token);
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        var final = result.Final;
        output.WriteLine($"operations {result.OperationCount} ({result.FailedOperations} failed), faults {string.Join(", ", result.Faults.Select(f => $"{f.Key} {f.Value}"))}, " +
            $"convergence {result.Convergence?.TotalSeconds:F1} s, imports {final.Expected}, lost {final.Lost.Count}, extra {final.Extra.Count}, " +
            $"spec mismatches {final.SpecMismatches.Count}, routing mismatches {final.RoutingMismatches.Count}");
        Assert.True(final.Converged, "not converged: " + string.Join(Environment.NewLine, final.Findings.Take(20)));
        Assert.NotNull(result.Convergence);
        Assert.Equal(settings.Operations, result.OperationCount);
        Assert.Equal(settings.Faults.Count, result.Faults.Values.Sum());
        Assert.True(final.Expected > 0, "the run left no import to check");

        // The check is not blind: on the same objects, one import removed, one added and one routing weight changed
        // are each found.
        var (member, key, import) = final.Objects
            .SelectMany(m => m.Imports.Select(i => (m, i.Key, i.Value)))
            .First(i => (i.Value["status"]?["routing"]?["ports"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault()?["endpoints"] is JsonArray { Count: > 0 });
        var others = final.Objects.Where(m => m != member).ToList();
        var missing = ConvergenceCheck.Of([.. others, member with { Imports = member.Imports.Where(i => i.Key != key).ToDictionary() }]);
        Assert.Single(missing.Lost);
        Assert.Empty(missing.Extra);
        var extraImport = (JsonObject)import.DeepClone();
        var stray = ConvergenceCheck.Of([.. others, member with { Imports = new Dictionary<(string, string), JsonObject>(member.Imports) { [("elsewhere", "stray")] = extraImport } }]);
        Assert.Single(stray.Extra);
        Assert.Empty(stray.Lost);
        var reweighted = (JsonObject)import.DeepClone();
        var endpoint = reweighted["status"]!["routing"]!["ports"]![0]!["endpoints"]![0]!;
        endpoint["weight"] = (int)endpoint["weight"]! + 1;
        var wrongRouting = ConvergenceCheck.Of([.. others, member with { Imports = new Dictionary<(string, string), JsonObject>(member.Imports) { [key] = reweighted } }]);
        Assert.Single(wrongRouting.RoutingMismatches);
        Assert.Empty(wrongRouting.SpecMismatches);

        // A routing where none belongs (no policy, nothing marked: the spec says it all) is found too.
        var (plainMember, plainKey, plain) = final.Objects
            .SelectMany(m => m.Imports.Select(i => (m, i.Key, i.Value)))
            .First(i => i.Value["status"]?["routing"] is null);
        var routed = (JsonObject)plain.DeepClone();
        routed["status"] = new JsonObject { ["routing"] = reweighted["status"]!["routing"]!.DeepClone() };
        var strayRouting = ConvergenceCheck.Of([.. final.Objects.Where(m => m != plainMember), plainMember with { Imports = new Dictionary<(string, string), JsonObject>(plainMember.Imports) { [plainKey] = routed } }]);
        Assert.Single(strayRouting.RoutingMismatches);

        // The run exercised the standard API too, and its check is not blind either: an MCS import removed is lost,
        // one with a cluster too many is a mismatch.
        var mcsMember = final.Objects.FirstOrDefault(m => m.McsImports.Count > 0);
        Assert.True(mcsMember is not null, "the run left no MCS import to check");
        var (mcsName, mcsImport) = mcsMember.McsImports.First();
        var mcsOthers = final.Objects.Where(m => m != mcsMember).ToList();
        var mcsMissing = ConvergenceCheck.Of([.. mcsOthers, mcsMember with { McsImports = mcsMember.McsImports.Where(i => i.Key != mcsName).ToDictionary() }]);
        Assert.Single(mcsMissing.Lost);
        var widened = (JsonObject)mcsImport.DeepClone();
        ((JsonArray)widened["status"]!["clusters"]!).Add(new JsonObject { ["cluster"] = "cluster-9" });
        var mcsWrong = ConvergenceCheck.Of([.. mcsOthers, mcsMember with { McsImports = new Dictionary<string, JsonObject>(mcsMember.McsImports) { [mcsName] = widened } }]);
        Assert.Single(mcsWrong.SpecMismatches);
    }
}
