using ErieCanal.Orleans.Watchers.Members;

namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>
/// What a member session needs for MCS: the member engine (which resolves the member's cluster id), the silo's
/// resolved ids, and where its MCS export observations go (null: MCS exports are not watched, only the id resolved).
/// </summary>
public sealed record McsSessionParts(IMemberWorkSink Engine, ClusterIdentities Identities, IMcsExportObserver? Observer);
