using System.Collections.Concurrent;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.ControlPlane;
using ErieCanal.Orleans.Watchers.Sessions;
using Microsoft.Extensions.Logging;
using k8s;

namespace ErieCanal.Orleans.Watchers.Members;

/// <summary>
/// The withdrawal of a member that left, in order: each of its exports is told (<see cref="IServiceExportGrain.MemberLeft"/>,
/// a bounded number at once; the export grain owns its conditions and Ingress), and so is each of its MCS exports
/// (found as the contributors the MCS services in the directory's index hold: the import grains are that record),
/// its writers retire (deleting the imports written into it), what Ingresses its exports left are swept, its claim
/// is released. Each step is done
/// once: a failure throws and the engine runs the teardown again after its backoff, resuming where it stopped. An
/// unreachable member keeps its Ingresses (owned by its exports, they go with them) and its claim (deleting the
/// ConfigMap by hand frees it) once the member steps have failed <see cref="MemberAttempts"/> times.
/// </summary>
internal sealed class MemberTeardown(TearDownMember work, Task<IKubernetes> client, IGrainFactory grains, ControlPlaneConnection controlPlane, IngressSweep sweep, int concurrency, ILogger logger)
{
    public const int MemberAttempts = 5;

    private readonly ConcurrentDictionary<string, bool> _exports = new(work.Exports.Select(k => KeyValuePair.Create(k, true)), StringComparer.Ordinal);
    private volatile bool _cancelled;
    private bool _retired;
    private bool _mcsLeft;
    private bool _mcsRetired;
    private bool _swept;
    private int _memberFailures;

    public TearDownMember Work => work;

    /// <summary>The member joined again: its new session owns its claim and client, and its exports are fed again.</summary>
    public void Cancel() => _cancelled = true;

    /// <summary>Runs the steps not done yet; true when it finished (false: cancelled).</summary>
    public async Task<bool> RunAsync(Func<string, string> redact, CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(_exports.Keys.ToList(), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (key, token) =>
        {
            if (!_cancelled)
            {
                var (ns, name) = ServiceKeys.ParseService(key);
                await grains.GetGrain<IServiceExportGrain>(ServiceKeys.Export(work.ClusterKey, ns, name)).MemberLeft();
                _exports.TryRemove(key, out var _);
            }
        });

        if (!_mcsLeft && !_cancelled)
        {
            await McsExportsLeaveAsync(cancellationToken);
            _mcsLeft = true;
        }

        if (!_retired && !_cancelled)
        {
            await grains.GetGrain<IImportWriterGrain>(work.ClusterKey).Retire();
            _retired = true;
        }

        if (!_mcsRetired && !_cancelled)
        {
            await grains.GetGrain<IMcsImportWriterGrain>(work.ClusterKey).Retire();
            _mcsRetired = true;
        }

        if (_cancelled)
        {
            return false;
        }

        try
        {
            var kube = await client;
            if (!_swept)
            {
                await sweep(kube, cancellationToken);
                _swept = true;
            }

            await MemberClaim.ReleaseAsync(kube, await controlPlane.GetIdentityAsync(cancellationToken), cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (++_memberFailures >= MemberAttempts || ex is MemberUnavailableException))
        {
            logger.ReleaseFailed(work.Name, _memberFailures, redact(ex.Message));
        }

        logger.TornDown(work.ClusterKey, work.Exports.Length);
        return true;
    }

    /// <summary>Tells each MCS export of the member that it left (a bounded number at once).</summary>
    private async Task McsExportsLeaveAsync(CancellationToken cancellationToken)
    {
        var services = (await grains.GetGrain<IClusterDirectoryGrain>(IClusterDirectoryGrain.Key).GetServices()).Keys
            .Select(ServiceKeys.FromMcsIndex).OfType<string>().ToList();
        await Parallel.ForEachAsync(services, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (key, token) =>
        {
            if (!_cancelled && (await grains.GetGrain<IMcsServiceImportGrain>(key).GetContributors()).Contains(work.ClusterKey))
            {
                var (ns, name) = ServiceKeys.ParseService(key);
                await grains.GetGrain<IMcsServiceExportGrain>(ServiceKeys.Export(work.ClusterKey, ns, name)).MemberLeft();
            }
        });
    }
}
