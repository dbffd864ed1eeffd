using System.Collections.Concurrent;

namespace ErieCanal.Orleans.DataPlane.Proxy;

/// <summary>
/// Passive health per service and endpoint: consecutive failed attempts eject the endpoint for a cool-off (see
/// <see cref="EjectionOptions"/>). An endpoint back from a cool-off is on probation: its first failure ejects it
/// again, for twice as long, while a success clears the count; one that stays in rotation for as long as its last
/// cool-off is forgiven (the next ejection starts at the base time again). Ejection never empties a route: picks
/// pass over ejected endpoints only while another one is left (<see cref="ServiceRoute.Pick"/>), as Envoy's panic
/// threshold does.
/// </summary>
public sealed class OutlierDetector(EjectionOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Service, string Key), Endpoint> _endpoints = new();

    // While nothing has failed, a check is one read: no lookup, no clock read.
    private int _tracking;

    /// <summary>An endpoint was just ejected: its cluster, service, address key and cool-off (for logs and metrics).</summary>
    public event Action<string, string, string, TimeSpan>? Ejected;

    public bool Enabled => options.Enabled;

    public bool IsEjected(string service, ProxyAddress address)
    {
        if (Volatile.Read(ref _tracking) == 0 || !_endpoints.TryGetValue((service, address.Key), out var endpoint))
        {
            return false;
        }

        lock (endpoint)
        {
            return endpoint.EjectedUntil > time.GetUtcNow();
        }
    }

    /// <summary>An attempt got an answer that is not a 5xx: the failure count starts over.</summary>
    public void Succeeded(string service, ProxyAddress address)
    {
        if (Volatile.Read(ref _tracking) == 0 || !_endpoints.TryGetValue((service, address.Key), out var endpoint))
        {
            return;
        }

        lock (endpoint)
        {
            var now = time.GetUtcNow();
            if (endpoint.EjectedUntil > now)
            {
                // Answers of attempts that started before the ejection change nothing.
                return;
            }

            endpoint.Failures = 0;
            endpoint.Probation = false;
            if (endpoint.Ejections > 0 && now - endpoint.EjectedUntil >= endpoint.LastCoolOff)
            {
                endpoint.Ejections = 0;
            }
        }
    }

    /// <summary>An attempt failed; true when this failure ejected the endpoint.</summary>
    public bool Failed(string service, ProxyAddress address)
    {
        if (!options.Enabled)
        {
            return false;
        }

        Volatile.Write(ref _tracking, 1);
        var endpoint = _endpoints.GetOrAdd((service, address.Key), _ => new Endpoint(address.ClusterKey));
        TimeSpan coolOff;
        lock (endpoint)
        {
            var now = time.GetUtcNow();
            if (endpoint.EjectedUntil > now)
            {
                // Attempts in flight when it was ejected: already counted in.
                return false;
            }

            endpoint.Failures++;
            if (endpoint.Failures < (endpoint.Probation ? 1 : options.ConsecutiveFailures))
            {
                return false;
            }

            if (endpoint.Ejections > 0 && !endpoint.Probation && now - endpoint.EjectedUntil >= endpoint.LastCoolOff)
            {
                endpoint.Ejections = 0;
            }

            coolOff = CoolOff(endpoint.Ejections);
            endpoint.Ejections++;
            endpoint.LastCoolOff = coolOff;
            endpoint.EjectedUntil = now + coolOff;
            endpoint.Failures = 0;
            endpoint.Probation = true;
        }

        Ejected?.Invoke(endpoint.ClusterKey, service, address.Key, coolOff);
        return true;
    }

    /// <summary>How many endpoints are ejected right now, per cluster and service (every pair seen, with 0s).</summary>
    public IReadOnlyList<(string ClusterKey, string Service, int Ejected)> Snapshot()
    {
        var now = time.GetUtcNow();
        var counts = new Dictionary<(string, string), int>();
        foreach (var ((service, _), endpoint) in _endpoints)
        {
            bool ejected;
            lock (endpoint)
            {
                ejected = endpoint.EjectedUntil > now;
            }

            counts[(endpoint.ClusterKey, service)] = counts.GetValueOrDefault((endpoint.ClusterKey, service)) + (ejected ? 1 : 0);
        }

        return [.. counts.Select(c => (c.Key.Item1, c.Key.Item2, c.Value))];
    }

    /// <summary>
    /// Forgets endpoints no longer routed (a member marked Unhealthy by the control plane drops out of the routing):
    /// when one comes back, it starts with a clean record.
    /// </summary>
    public void Retain(Func<string, string, bool> routed)
    {
        foreach (var (service, key) in _endpoints.Keys)
        {
            if (!routed(service, key))
            {
                _endpoints.TryRemove((service, key), out _);
            }
        }
    }

    private TimeSpan CoolOff(int previousEjections)
    {
        var coolOff = options.BaseEjectionTime;
        for (var i = 0; i < previousEjections && coolOff < options.MaxEjectionTime; i++)
        {
            coolOff += coolOff;
        }

        return coolOff < options.MaxEjectionTime ? coolOff : options.MaxEjectionTime;
    }

    private sealed class Endpoint(string clusterKey)
    {
        public string ClusterKey { get; } = clusterKey;

        public int Failures { get; set; }

        /// <summary>Ejections in a row, each without a healthy spell as long as its cool-off in between.</summary>
        public int Ejections { get; set; }

        public TimeSpan LastCoolOff { get; set; }

        public DateTimeOffset EjectedUntil { get; set; }

        /// <summary>Back from a cool-off and not yet answered well: one failure ejects it again.</summary>
        public bool Probation { get; set; }
    }
}
