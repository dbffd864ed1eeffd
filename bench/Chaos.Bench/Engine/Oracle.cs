namespace ErieCanal.Orleans.Chaos.Bench;

/// <summary>
/// The ServiceImports every member must hold and their routing, computed from the members' objects alone, written
/// from SPEC §3 and §5 rather than from the system's merge and policy code (which it is the check of):
/// <list type="bullet">
/// <item>an export contributes only when its Service exists and is not ExternalName and some rule names a port of it
/// (no rules: every port at "/"); its endpoint is the exporter's gateway plus the rule's path, healthy when the Service
/// has a ready endpoint (every member is healthy once the faults are healed);</item>
/// <item>the oldest export (creationTimestamp, then clusterKey) is the reference; a newer one that differs in type,
/// session affinity, or a port's name/number is left out;</item>
/// <item>a member holds the import when some agreeing export's targetClusters is empty or names it, with only those
/// exports' endpoints;</item>
/// <item>routing per the member's GlobalTrafficPolicy: none or Locality → the local cluster's endpoints (or the one
/// listed cluster's); ActiveActive → local plus listed (all when none listed), weight 100 locally, the target's
/// weight elsewhere (missing or 0 → 100); FailOver → local endpoints primary, listed ones standby (weight 0) unless
/// no local endpoint is healthy, then active with their weights; an unhealthy endpoint is Unhealthy with weight 0;</item>
/// <item>no status.routing at all where the member has no policy for the service and none of its own endpoints is
/// unhealthy: that routing is what the spec implies, and is not written.</item>
/// </list>
/// </summary>
public static class Oracle
{
    private const int DefaultWeight = 100;

    public static Dictionary<string, Dictionary<(string Namespace, string Name), ExpectedImport>> Expect(IReadOnlyList<MemberObjects> members)
    {
        var expected = members.ToDictionary(m => m.Member, _ => new Dictionary<(string, string), ExpectedImport>());
        var names = members.SelectMany(m => m.Exports.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var agreeing = Agreeing(members.Select(m => ContributionOf(m, name)).OfType<Contribution>());
            foreach (var member in members)
            {
                var targeting = agreeing.Where(c => c.Targets.Count == 0 || c.Targets.Any(t => t == member.Member || t == member.ClusterKey)).ToList();
                if (targeting.Count == 0)
                {
                    continue;
                }

                var ports = MergePorts(agreeing)
                    .Select(p => p with { Endpoints = [.. p.Endpoints.Where(e => targeting.Any(c => c.ClusterKey == e.ClusterKey))] })
                    .Where(p => p.Endpoints.Count > 0)
                    .ToList();
                member.Policies.TryGetValue(name, out var policy);
                var reference = agreeing[0];
                expected[member.Member][(ChaosSettings.Namespace, name)] = new ExpectedImport(
                    ImportText.Spec(reference.Type, reference.SessionAffinity, ports.Select(p => (p.Name, p.Protocol, p.Port, p.Endpoints.Select(e => (e.ClusterKey, (string?)e.Host, e.Port, (string?)e.Path))))),
                    policy is null && ports.All(p => p.Endpoints.All(e => e.Healthy || e.ClusterKey != member.ClusterKey))
                        ? ImportText.NoRouting
                        : ImportText.Routing(Route(ports, member.ClusterKey, policy)));
            }
        }

        return expected;
    }

    private static Contribution? ContributionOf(MemberObjects member, string name)
    {
        if (!member.Exports.TryGetValue(name, out var export) || !member.Services.TryGetValue(name, out var service) || service.Type == "ExternalName")
        {
            return null;
        }

        var ports = export.Rules.Count == 0
            ? service.Ports.Select(p => new ContributedPort(p.Name, p.Protocol, p.Port, "/")).ToList()
            : export.Rules
                .Select(r => service.Ports.FirstOrDefault(p => p.Port == r.PortNumber) is { } p ? new ContributedPort(p.Name, p.Protocol, p.Port, string.IsNullOrEmpty(r.Path) ? "/" : r.Path) : null)
                .OfType<ContributedPort>()
                .ToList();
        if (ports.Count == 0)
        {
            return null;
        }

        return new Contribution(
            member.ClusterKey, export.CreatedAt, service.Headless ? "Headless" : "ClusterSetIP", service.SessionAffinity, ports,
            member.GatewayPort, member.ReadyEndpoints.GetValueOrDefault(name) > 0, export.TargetClusters);
    }

    private static List<Contribution> Agreeing(IEnumerable<Contribution> contributions)
    {
        var agreeing = new List<Contribution>();
        foreach (var c in contributions.OrderBy(c => c.CreatedAt).ThenBy(c => c.ClusterKey, StringComparer.Ordinal))
        {
            if (agreeing.Count == 0 || Agrees(agreeing, c))
            {
                agreeing.Add(c);
            }
        }

        return agreeing;
    }

    private static bool Agrees(List<Contribution> agreeing, Contribution newer)
    {
        var reference = agreeing[0];
        if (newer.Type != reference.Type || newer.SessionAffinity != reference.SessionAffinity)
        {
            return false;
        }

        var known = agreeing.SelectMany(c => c.Ports).ToList();
        return newer.Ports.All(p => string.IsNullOrEmpty(p.Name)
            || (known.Where(k => k.Name == p.Name).All(k => k.Protocol == p.Protocol && k.Port == p.Port)
                && known.Where(k => k.Protocol == p.Protocol && k.Port == p.Port && !string.IsNullOrEmpty(k.Name)).All(k => k.Name == p.Name)));
    }

    private static List<ExpectedPort> MergePorts(List<Contribution> agreeing)
    {
        var ports = new List<ExpectedPort>();
        foreach (var c in agreeing)
        {
            foreach (var p in c.Ports)
            {
                var index = ports.FindIndex(x => !string.IsNullOrEmpty(p.Name) && x.Name == p.Name);
                if (index < 0)
                {
                    index = ports.FindIndex(x => x.Protocol == p.Protocol && x.Port == p.Port);
                }

                var endpoint = new ExpectedEndpoint(c.ClusterKey, "127.0.0.1", c.GatewayPort, p.Path, c.Healthy);
                if (index < 0)
                {
                    ports.Add(new ExpectedPort(p.Name, p.Protocol, p.Port, [endpoint]));
                }
                else
                {
                    var x = ports[index];
                    ports[index] = x with { Name = x.Name ?? p.Name, Endpoints = [.. x.Endpoints, endpoint] };
                }
            }
        }

        return ports;
    }

    private static (string LbType, IEnumerable<(string? Name, int Port, IEnumerable<(string ClusterKey, string Path, int Weight, string State)> Endpoints)> Ports) Route(
        List<ExpectedPort> ports, string local, PolicyObject? policy)
    {
        var lbType = policy?.LbType ?? "Locality";
        var targets = policy?.Targets ?? [];
        int? Listed(string key) => targets.Any(t => t.ClusterKey == key) ? targets.First(t => t.ClusterKey == key).Weight ?? 0 : null;
        static int WeightOf(int? w) => w is > 0 ? w.Value : DefaultWeight;
        static (string, string, int, string) Serve(ExpectedEndpoint e, int weight) =>
            e.Healthy ? (e.ClusterKey, e.Path, weight, "Active") : (e.ClusterKey, e.Path, 0, "Unhealthy");

        return (lbType, ports.Select(p =>
        {
            IEnumerable<(string, string, int, string)> endpoints = lbType switch
            {
                "Locality" => p.Endpoints
                    .Where(e => e.ClusterKey == (targets.Count == 1 ? targets[0].ClusterKey : local))
                    .Select(e => Serve(e, DefaultWeight)),
                "ActiveActive" => p.Endpoints
                    .Where(e => e.ClusterKey == local || targets.Count == 0 || Listed(e.ClusterKey) is not null)
                    .Select(e => Serve(e, e.ClusterKey == local ? DefaultWeight : WeightOf(Listed(e.ClusterKey)))),
                _ => FailOver(p, local, Listed, WeightOf),
            };
            return (p.Name, p.Port, endpoints);
        }));

        static IEnumerable<(string, string, int, string)> FailOver(ExpectedPort p, string local, Func<string, int?> listed, Func<int?, int> weightOf)
        {
            var primaryHealthy = p.Endpoints.Any(e => e.ClusterKey == local && e.Healthy);
            foreach (var e in p.Endpoints.Where(e => e.ClusterKey == local || listed(e.ClusterKey) is not null))
            {
                if (e.ClusterKey == local || !e.Healthy)
                {
                    yield return Serve(e, DefaultWeight);
                }
                else if (primaryHealthy)
                {
                    yield return (e.ClusterKey, e.Path, 0, "Standby");
                }
                else
                {
                    yield return Serve(e, weightOf(listed(e.ClusterKey)));
                }
            }
        }
    }

    private sealed record Contribution(
        string ClusterKey, DateTime CreatedAt, string Type, string SessionAffinity, List<ContributedPort> Ports, int GatewayPort, bool Healthy, IReadOnlyList<string> Targets);

    private sealed record ContributedPort(string? Name, string Protocol, int Port, string Path);

    private sealed record ExpectedPort(string? Name, string Protocol, int Port, List<ExpectedEndpoint> Endpoints);

    private sealed record ExpectedEndpoint(string ClusterKey, string Host, int Port, string Path, bool Healthy);
}

/// <summary>The canonical text of an import's spec and of its routing, compared as strings and shown on a mismatch.</summary>
public sealed record ExpectedImport(string Spec, string Routing);
