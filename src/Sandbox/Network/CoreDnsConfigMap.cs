using ErieCanal.Orleans.Sandbox.Storage;

namespace ErieCanal.Orleans.Sandbox.Network;

/// <summary>
/// The stub zones of the kube-system/coredns ConfigMap's Corefile, as CoreDNS's reload plugin picks up an edited
/// Corefile: read from the store on each question, parsed again only when the text changed.
/// </summary>
public sealed class CoreDnsConfigMap(ObjectStore store)
{
    public const string Namespace = "kube-system";

    public const string Name = "coredns";

    private Parsed _last = new(null, []);

    public IReadOnlyList<StubZone> StubZones()
    {
        var corefile = JsonTree.GetString(store.Get("configmaps", Namespace, Name), "data", "Corefile");
        var last = Volatile.Read(ref _last);
        if (corefile == last.Corefile)
        {
            return last.Zones;
        }

        var parsed = new Parsed(corefile, corefile is null ? [] : CorefileStubZones.Parse(corefile));
        Volatile.Write(ref _last, parsed);
        return parsed.Zones;
    }

    private sealed record Parsed(string? Corefile, IReadOnlyList<StubZone> Zones);
}
