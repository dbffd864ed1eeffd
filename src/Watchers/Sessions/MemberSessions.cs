using System.Collections.Concurrent;
using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Clients;
using ErieCanal.Orleans.Watchers.ControlPlane;
using ErieCanal.Orleans.Watchers.Mcs;
using ErieCanal.Orleans.Watchers.Members;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ErieCanal.Orleans.Watchers.Sessions;

/// <summary>
/// The silo's member sessions, one per member whose ClusterGrain is active here (key: clusterKey), started and
/// stopped by that grain. A stop is awaited until the session feeds nothing more; the rest of its shutdown (reports
/// that may be waiting on a call into the grain) is awaited here, off the grain's turn, and by this registry's
/// disposal at silo shutdown: no session is left running unowned.
/// </summary>
public sealed class MemberSessions(
    IGrainFactory grains,
    MemberCredentials credentials,
    ControlPlaneConnection controlPlane,
    MemberClients clients,
    IOptions<ErieCanalOptions> options,
    TimeProvider time,
    ILoggerFactory loggers,
    MemberEngine engine,
    ClusterIdentities identities,
    IEnumerable<IMcsExportObserver> mcsObservers) : IAsyncDisposable
{
    // MCS exports are watched only where something takes their observations (the MCS export grains).
    private readonly McsSessionParts _mcs = new(engine, identities, mcsObservers.FirstOrDefault());

    // Each key is written by one grain activation at a time; the maps only need to be safe across members.
    private readonly ConcurrentDictionary<string, MemberSession> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, bool> _stopping = new();

    /// <summary>
    /// Starts a session for <paramref name="spec"/> that knows <paramref name="knownExports"/> as fed;
    /// <paramref name="reconnect"/> drops the member's cached client too (its connection changed).
    /// </summary>
    public MemberSession Start(ClusterSpec spec, IEnumerable<string> knownExports, bool reconnect)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (reconnect)
        {
            clients.Invalidate(spec.ClusterKey);
        }

        var session = new MemberSession(spec, knownExports, new GrainMemberSink(grains, spec.ClusterKey), credentials, controlPlane, options.Value, time, loggers.CreateLogger<MemberSession>(), _mcs);
        MemberSession? replaced = null;
        _running.AddOrUpdate(spec.ClusterKey, session, (_, running) =>
        {
            replaced = running;
            return session;
        });
        if (replaced is not null)
        {
            // Its grain lost it without a stop (a second activation): it stops here, whole.
            Track(StopWholeAsync(replaced));
        }

        session.Start();
        return session;
    }

    /// <summary>
    /// Stops <paramref name="session"/> feeding (awaited: nothing it sends lands after) and returns the exports it
    /// fed, for its owner's record; the rest of its shutdown continues here.
    /// </summary>
    public async Task<ImmutableArray<string>> StopAsync(MemberSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        _running.TryRemove(KeyValuePair.Create(session.ClusterKey, session));
        await session.StopFeedingAsync();
        Track(session.DisposeAsync().AsTask());
        return session.Fed;
    }

    public async ValueTask DisposeAsync()
    {
        Task[] all = [.. _running.Values.Select(StopWholeAsync), .. _stopping.Keys];
        _running.Clear();
        await Task.WhenAll(all).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private static async Task StopWholeAsync(MemberSession session)
    {
        await session.StopFeedingAsync();
        await session.DisposeAsync();
    }

    private void Track(Task stopping)
    {
        _stopping.TryAdd(stopping, true);
        _ = stopping.ContinueWith(done => _stopping.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
