namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>
/// Smooth weighted round robin (as nginx does) over a service port's targets, and plain round robin over each
/// target's addresses. Survives routing rebuilds, so the spread stays exact over many requests while
/// EndpointSlices and imports change around it.
/// </summary>
public sealed class SmoothWeightedBalancer
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _current = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _nextAddress = new(StringComparer.Ordinal);

    /// <summary>Picks one target among <paramref name="eligible"/> (each with its usable addresses) and one address of it.</summary>
    public ProxyAddress Pick(IReadOnlyList<(ProxyTarget Target, IReadOnlyList<ProxyAddress> Usable)> eligible)
    {
        lock (_gate)
        {
            // A single target needs no arithmetic, only its address rotation.
            if (eligible.Count == 1)
            {
                return Next(eligible[0].Target, eligible[0].Usable);
            }

            // Weight 0 takes no traffic, unless every eligible target has 0: then they share evenly.
            var anyWeight = false;
            for (var i = 0; i < eligible.Count && !anyWeight; i++)
            {
                anyWeight = eligible[i].Target.Weight > 0;
            }

            long total = 0;
            var best = -1;
            long bestCurrent = long.MinValue;
            for (var i = 0; i < eligible.Count; i++)
            {
                var weight = anyWeight ? Math.Max(eligible[i].Target.Weight, 0) : 1;
                if (weight == 0)
                {
                    continue;
                }

                var key = eligible[i].Target.ClusterKey;
                var current = _current.GetValueOrDefault(key) + weight;
                _current[key] = current;
                total += weight;
                if (current > bestCurrent)
                {
                    bestCurrent = current;
                    best = i;
                }
            }

            var (target, usable) = eligible[best];
            _current[target.ClusterKey] -= total;
            return Next(target, usable);
        }
    }

    private ProxyAddress Next(ProxyTarget target, IReadOnlyList<ProxyAddress> usable)
    {
        var index = _nextAddress.GetValueOrDefault(target.ClusterKey);
        _nextAddress[target.ClusterKey] = index + 1 == int.MaxValue ? 0 : index + 1;
        return usable[index % usable.Count];
    }
}
