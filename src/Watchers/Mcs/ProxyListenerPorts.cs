using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Interfaces.Mcs;
using k8s;

namespace ErieCanal.Orleans.Watchers.Mcs;

/// <summary>
/// One member's listener ports of one kind of proxy-fronted Service (<see cref="ProxyListeners"/>): which port of the
/// proxy each Service port lands on. A port once given to a Service port stays with it while its slice exists (what
/// the slice already holds is kept on a restart), and is free again when the slice goes. MCS and flomesh.io fronts
/// are written by different engines, possibly on different silos, so each kind allocates from its own half of the
/// range and two engines never hand out the same port.
/// </summary>
public sealed class ProxyListenerPorts(string kind, int first, int last)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<int, int>> _byFront = new(StringComparer.Ordinal);
    private readonly HashSet<int> _taken = [];
    private bool _seeded;

    /// <summary>The half of [<paramref name="first"/>, <paramref name="last"/>] a kind allocates from.</summary>
    public static ProxyListenerPorts For(string kind, int first, int last)
    {
        var middle = first + ((last - first) / 2);
        return kind == ProxyListeners.McsKind ? new(kind, first, middle) : new(kind, middle + 1, last);
    }

    public int First => first;

    public int Last => last;

    /// <summary>Reads what the member's slices of this kind hold, once, before the first allocation.</summary>
    public async Task SeedAsync(IKubernetes kube, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_seeded)
            {
                return;
            }
        }

        var slices = await kube.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(
            labelSelector: $"{McsNames.ManagedByLabel}={McsNames.ManagedBy},{ProxyListeners.ImportKindLabel}={kind}", cancellationToken: cancellationToken);
        lock (_gate)
        {
            if (_seeded)
            {
                return;
            }

            foreach (var slice in slices.Items)
            {
                var front = Key(slice.Metadata.NamespaceProperty, ValueOf(slice.Metadata.Labels, McsNames.KubernetesServiceNameLabel) ?? "");
                foreach (var (listener, servicePort) in ProxyListeners.Parse(ValueOf(slice.Metadata.Annotations, ProxyListeners.ListenersAnnotation)))
                {
                    Claim(front, servicePort, listener);
                }
            }

            _seeded = true;
        }
    }

    /// <summary>The listener port of each of <paramref name="servicePorts"/> of the front <paramref name="ns"/>/<paramref name="service"/>; ports it no longer has are freed.</summary>
    public IReadOnlyList<(int Listener, int ServicePort)> Assign(string ns, string service, IReadOnlyCollection<int> servicePorts)
    {
        var front = Key(ns, service);
        lock (_gate)
        {
            var held = _byFront.TryGetValue(front, out var map) ? map : _byFront[front] = [];
            foreach (var gone in held.Keys.Where(p => !servicePorts.Contains(p)).ToList())
            {
                _taken.Remove(held[gone]);
                held.Remove(gone);
            }

            var pairs = new List<(int, int)>(servicePorts.Count);
            foreach (var servicePort in servicePorts)
            {
                if (!held.TryGetValue(servicePort, out var listener))
                {
                    listener = Enumerable.Range(first, last - first + 1).FirstOrDefault(p => !_taken.Contains(p));
                    if (listener == 0)
                    {
                        throw new InvalidOperationException($"no proxy listener port left in {first}-{last} for {kind} Services ({_taken.Count} taken); widen the range");
                    }

                    held[servicePort] = listener;
                    _taken.Add(listener);
                }

                pairs.Add((listener, servicePort));
            }

            return pairs;
        }
    }

    /// <summary>The front's slice is gone: its ports are free.</summary>
    public void Release(string ns, string service)
    {
        lock (_gate)
        {
            if (_byFront.Remove(Key(ns, service), out var held))
            {
                _taken.ExceptWith(held.Values);
            }
        }
    }

    // Under the gate. A port claimed twice (a hand edit) stays with its first holder; the second gets a new one.
    private void Claim(string front, int servicePort, int listener)
    {
        if (listener < first || listener > last || _taken.Contains(listener))
        {
            return;
        }

        var held = _byFront.TryGetValue(front, out var map) ? map : _byFront[front] = [];
        if (held.TryAdd(servicePort, listener))
        {
            _taken.Add(listener);
        }
    }

    private static string? ValueOf(IDictionary<string, string>? map, string key) => map is not null && map.TryGetValue(key, out var value) ? value : null;

    private static string Key(string? ns, string service) => $"{ns}/{service}";
}
