using ErieCanal.Orleans.Grains.Exports;
using ErieCanal.Orleans.Grains.Imports;
using ErieCanal.Orleans.Grains.Members;
using Xunit;

namespace ErieCanal.Orleans.Grains.Tests.Guard;

/// <summary>
/// Orleans runs one turn at a time per activation only if a grain never leaves its scheduler, and a grain stays
/// responsive only if it never waits on a member: no grain class (nor its lambdas and state machines) may hold or
/// call the Kubernetes client or the member and control-plane connections, start thread-pool work, lock or share
/// state between threads. I/O belongs in silo-local engines. Checked on the compiled types and their IL, not on the source text.
/// </summary>
public sealed class GrainSchedulerGuardTests
{
    [Fact]
    public void No_grain_holds_a_Kubernetes_client_or_a_connection_nor_leaves_its_scheduler()
    {
        var grains = GrainScanner.Grains(typeof(ImportWriterGrain).Assembly);
        Assert.Contains(typeof(ImportWriterGrain), grains);
        Assert.Contains(typeof(ServiceExportGrain), grains);
        Assert.Contains(typeof(ClusterGrain), grains);

        var offences = grains
            .SelectMany(g => GrainScanner.Offences(g).Select(o => $"{g.Name}: {o}"))
            .ToList();
        Assert.True(offences.Count == 0, "grains doing I/O or leaving their scheduler:\n" + string.Join("\n", offences));
    }

    [Fact]
    public void The_guard_sees_each_kind_of_offence_in_a_grain_its_lambdas_and_its_state_machines()
    {
        Assert.Contains(typeof(OffendingGrain), GrainScanner.Grains(typeof(OffendingGrain).Assembly));
        var offences = GrainScanner.Offences(typeof(OffendingGrain));

        Assert.Contains(".ctor: takes a MemberClients", offences);
        Assert.Contains("_client: holds a IKubernetes", offences);
        Assert.Contains("ListAsync: holds a IKubernetes", offences);
        Assert.Contains(offences, o => o.Contains("calls Task.Run", StringComparison.Ordinal));
        Assert.Contains(offences, o => o.Contains("calls MemberClients.GetAsync", StringComparison.Ordinal));
        Assert.Contains(offences, o => o.Contains("calls ICoreV1Operations.ListNamespaceAsync", StringComparison.Ordinal) || o.Contains("CoreV1OperationsExtensions.ListNamespaceAsync", StringComparison.Ordinal));
        Assert.Contains(offences, o => o.Contains("locks", StringComparison.Ordinal));
        Assert.Contains(offences, o => o.Contains("calls ThreadPool.QueueUserWorkItem", StringComparison.Ordinal));
        Assert.Contains("_counts: shares state between threads (ConcurrentDictionary<String, Int32>)", offences);

        // A grain that only decides has nothing to report.
        Assert.Empty(GrainScanner.Offences(typeof(ServiceExportGrain)));
        Assert.Empty(GrainScanner.Offences(typeof(ClusterGrain)));
    }
}
