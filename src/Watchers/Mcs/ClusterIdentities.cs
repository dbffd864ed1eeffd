using System.Collections.Concurrent;
using ErieCanal.Orleans.Watchers.Members;

namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>
/// The silo's members' cluster ids (KEP-2149) as the member engine last resolved them (key: clusterKey): where the
/// MCS parts of a member session read the id its observations carry. <see cref="Changed"/> tells a change.
/// </summary>
public sealed class ClusterIdentities
{
    private readonly ConcurrentDictionary<string, ClusterIdentityResult> _byMember = new(StringComparer.Ordinal);

    /// <summary>A member's identity changed (argument: its clusterKey).</summary>
    public event Action<string>? Changed;

    /// <summary>The member's resolution, null before the first.</summary>
    public ClusterIdentityResult? Find(string clusterKey) => _byMember.GetValueOrDefault(clusterKey);

    /// <summary>The member's usable id, or null.</summary>
    public string? IdOf(string clusterKey) => Find(clusterKey)?.Id;

    /// <summary>Records a resolution; returns the previous one. <see cref="Changed"/> is raised when the id or reason moved.</summary>
    public ClusterIdentityResult? Set(string clusterKey, ClusterIdentityResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        ClusterIdentityResult? before = null;
        _byMember.AddOrUpdate(clusterKey, result, (_, held) =>
        {
            before = held;
            return result;
        });
        if (before is null || before.Id != result.Id || before.Reason != result.Reason)
        {
            Changed?.Invoke(clusterKey);
        }

        return before;
    }

    /// <summary>The member left this silo.</summary>
    public void Forget(string clusterKey) => _byMember.TryRemove(clusterKey, out _);
}
