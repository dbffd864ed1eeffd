namespace ErieCanal.Orleans.Chaos.Bench;

/// <summary>The faults a run interleaves with its operations.</summary>
public enum FaultKind
{
    /// <summary>A silo process killed with SIGKILL, restarted after the hold.</summary>
    SiloKill,

    /// <summary>The store's server killed and restarted on the same port and data directory.</summary>
    StoreRestart,

    /// <summary>A member's API server stops listening (connections refused, watches broken).</summary>
    MemberOffline,

    /// <summary>A member's API server accepts requests and never answers them.</summary>
    MemberFrozen,

    /// <summary>A member's history compacted and its watches dropped: watchers resume from a compacted version (410) and relist.</summary>
    MemberCompacted,

    /// <summary>A member's open watches dropped.</summary>
    WatchesDropped,

    /// <summary>The control plane's API server offline.</summary>
    ControlPlaneOffline,
}
