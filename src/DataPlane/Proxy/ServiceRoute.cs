namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>The targets of one service port as this member sees them, and how an attempt picks among them.</summary>
public sealed class ServiceRoute(string service, IReadOnlyList<ProxyTarget> targets, SmoothWeightedBalancer balancer)
{
    /// <summary>svc.ns:port, for messages and logs.</summary>
    public string Service { get; } = service;

    public IReadOnlyList<ProxyTarget> Targets { get; } = targets;

    /// <summary>
    /// The next address to try, never one of <paramref name="tried"/> and never from a tier above
    /// <paramref name="worstTier"/>: Active first; Standby only when no Active address is usable; addresses marked
    /// unreachable only when nothing unmarked is left. Null when nothing is left at all.
    /// </summary>
    public ProxyAddress? Pick(IReadOnlySet<string> tried, ProxyTier worstTier, UnreachableEndpoints unreachable)
    {
        foreach (var skipMarked in new[] { true, false })
        {
            for (var tier = ProxyTier.Active; tier <= worstTier; tier++)
            {
                var eligible = new List<(ProxyTarget, IReadOnlyList<ProxyAddress>)>();
                foreach (var target in Targets)
                {
                    if (target.Tier != tier)
                    {
                        continue;
                    }

                    var usable = target.Addresses.Where(a => !tried.Contains(a.Key) && !(skipMarked && unreachable.IsMarked(a))).ToList();
                    if (usable.Count > 0)
                    {
                        eligible.Add((target, usable));
                    }
                }

                if (eligible.Count > 0)
                {
                    return balancer.Pick(eligible);
                }
            }
        }

        return null;
    }

    /// <summary>The tier an address belongs to (the best one, should it be listed twice).</summary>
    public ProxyTier TierOf(ProxyAddress address) =>
        Targets.Where(t => t.Addresses.Any(a => a.Key == address.Key)).Select(t => t.Tier).DefaultIfEmpty(ProxyTier.Standby).Min();
}
