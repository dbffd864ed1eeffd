namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>
/// The targets of one service port as this member sees them, and how an attempt picks among them. Built once per
/// routing change; a pick with nothing tried and nothing ejected allocates nothing.
/// </summary>
public sealed class ServiceRoute
{
    private readonly SmoothWeightedBalancer _balancer;

    // Per tier, the targets that have addresses at all: what a pick uses while nothing is excluded.
    private readonly (ProxyTarget Target, IReadOnlyList<ProxyAddress> Usable)[][] _byTier;

    public ServiceRoute(string service, IReadOnlyList<ProxyTarget> targets, SmoothWeightedBalancer balancer)
    {
        Service = service;
        Targets = targets;
        _balancer = balancer;
        _byTier = new (ProxyTarget, IReadOnlyList<ProxyAddress>)[(int)ProxyTier.Standby + 1][];
        for (var tier = ProxyTier.Active; tier <= ProxyTier.Standby; tier++)
        {
            _byTier[(int)tier] = [.. targets.Where(t => t.Tier == tier && t.Addresses.Count > 0).Select(t => (t, t.Addresses))];
        }
    }

    /// <summary>svc.ns:port, for messages and logs.</summary>
    public string Service { get; }

    public IReadOnlyList<ProxyTarget> Targets { get; }

    /// <summary>
    /// The next address to try, never <paramref name="tried"/> and only from the tiers <paramref name="bestTier"/>
    /// to <paramref name="worstTier"/>: Active first; Standby only when no Active address is usable; ejected
    /// addresses only when nothing else is left (so ejection never empties a route). Null when nothing is left.
    /// </summary>
    public ProxyAddress? Pick(ProxyAddress? tried, ProxyTier bestTier, ProxyTier worstTier, OutlierDetector outliers)
    {
        foreach (var skipMarked in (ReadOnlySpan<bool>)[true, false])
        {
            for (var tier = bestTier; tier <= worstTier; tier++)
            {
                var all = _byTier[(int)tier];
                if (all.Length == 0)
                {
                    continue;
                }

                if (!Excludes(all, tried, skipMarked, outliers))
                {
                    return _balancer.Pick(all);
                }

                var eligible = new List<(ProxyTarget, IReadOnlyList<ProxyAddress>)>(all.Length);
                foreach (var (target, addresses) in all)
                {
                    var usable = addresses.Where(a => !Same(a, tried) && !(skipMarked && outliers.IsEjected(Service, a))).ToList();
                    if (usable.Count > 0)
                    {
                        eligible.Add((target, usable));
                    }
                }

                if (eligible.Count > 0)
                {
                    return _balancer.Pick(eligible);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Where a 5xx is retried: an address of another cluster first (the failing cluster's other pods likely share its
    /// fault), best tier first, not ejected; else whatever <see cref="Pick"/> would choose.
    /// </summary>
    public ProxyAddress? PickElsewhere(ProxyAddress tried, ProxyTier bestTier, ProxyTier worstTier, OutlierDetector outliers)
    {
        for (var tier = bestTier; tier <= worstTier; tier++)
        {
            var eligible = new List<(ProxyTarget, IReadOnlyList<ProxyAddress>)>();
            foreach (var (target, addresses) in _byTier[(int)tier])
            {
                var usable = addresses.Where(a => a.ClusterKey != tried.ClusterKey && !outliers.IsEjected(Service, a)).ToList();
                if (usable.Count > 0)
                {
                    eligible.Add((target, usable));
                }
            }

            if (eligible.Count > 0)
            {
                return _balancer.Pick(eligible);
            }
        }

        return Pick(tried, bestTier, worstTier, outliers);
    }

    /// <summary>Whether some address other than <paramref name="tried"/> is in the tiers <paramref name="bestTier"/> to <paramref name="worstTier"/> (ejected or not).</summary>
    public bool HasOther(ProxyAddress tried, ProxyTier bestTier, ProxyTier worstTier)
    {
        for (var tier = bestTier; tier <= worstTier; tier++)
        {
            foreach (var (_, addresses) in _byTier[(int)tier])
            {
                for (var i = 0; i < addresses.Count; i++)
                {
                    if (!Same(addresses[i], tried))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>The tier an address belongs to (the best one, should it be listed twice).</summary>
    public ProxyTier TierOf(ProxyAddress address)
    {
        var best = ProxyTier.Standby;
        foreach (var target in Targets)
        {
            foreach (var candidate in target.Addresses)
            {
                if (candidate.Key == address.Key && target.Tier < best)
                {
                    best = target.Tier;
                }
            }
        }

        return best;
    }

    private bool Excludes((ProxyTarget Target, IReadOnlyList<ProxyAddress> Usable)[] all, ProxyAddress? tried, bool skipMarked, OutlierDetector outliers)
    {
        foreach (var (_, addresses) in all)
        {
            for (var i = 0; i < addresses.Count; i++)
            {
                if (Same(addresses[i], tried) || (skipMarked && outliers.IsEjected(Service, addresses[i])))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool Same(ProxyAddress address, ProxyAddress? tried) =>
        tried is not null && (ReferenceEquals(address, tried) || string.Equals(address.Key, tried.Key, StringComparison.Ordinal));
}
