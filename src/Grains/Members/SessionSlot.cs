using System.Collections.Immutable;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Members;
using ErieCanal.Orleans.Watchers.Sessions;

namespace ErieCanal.Orleans.Grains.Members;

/// <summary>
/// A ClusterGrain's one running member session, started and stopped through the silo's <see cref="MemberSessions"/>.
/// The grain's stored record of exports is the one authority: a session starts from it, and a stopped session's last
/// record is folded back into it. Used only on the grain's turn.
/// </summary>
public sealed class SessionSlot(string clusterKey, MemberSessions sessions, IMemberWorkSink engine)
{
    private MemberSession? _session;

    /// <summary>Whether <paramref name="sessionId"/> is the running session's (a replaced session's late reports are not).</summary>
    public bool IsCurrent(string sessionId) => _session is { } session && session.SessionId == sessionId;

    /// <summary>Whether the member has the export as the running session sees it; null when nobody can tell.</summary>
    public bool? HasExport(string serviceKey, bool managed) => _session is { } session && managed ? session.HasExport(serviceKey) : null;

    public ImmutableArray<ServiceProbeTarget> ProbeTargets() => _session?.ServiceProbeTargets() ?? [];

    /// <summary>Starts a session for <paramref name="spec"/> unless one runs (or the kubeconfig is still awaited: null).</summary>
    public void Start(ClusterSpec? spec, ClusterGrainState state, bool reconnect = false)
    {
        if (spec is not null && _session is null)
        {
            // A teardown of the member not yet done must not release the claim this session takes.
            engine.Submit(new MemberJoined(clusterKey));
            _session = sessions.Start(spec, state.KnownExports, reconnect);
        }
    }

    /// <summary>Awaits the session's feeding to stop (nothing it sends lands after) and folds in its last record of exports.</summary>
    public async Task StopAsync(ClusterGrainState state)
    {
        if (_session is { } session)
        {
            _session = null;
            state.KnownExports = new HashSet<string>(await sessions.StopAsync(session), StringComparer.Ordinal);
        }
    }
}
