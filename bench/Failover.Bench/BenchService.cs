namespace ErieCanal.Orleans.Failover.Bench;

/// <summary>
/// A service under load from the consumer (cluster-2): which members run its pods (a Deployment named
/// <c>{service}-{member}</c> each, so an answer names the member), its GlobalTrafficPolicy, and its primary: the
/// member whose pods the pod-level faults hit.
/// </summary>
public sealed record BenchService(string Name, string LbType, IReadOnlyList<string> Exporters, string Primary, IReadOnlyList<string> PolicyMembers)
{
    public string Deployment(string member) => $"{Name}-{member}";

    /// <summary>The member whose pod answered, from the pod's name (the answer's body); null when no pod of this service answered.</summary>
    public string? MemberOf(string? answer) =>
        answer is null ? null : Exporters.FirstOrDefault(m => answer.StartsWith(Deployment(m) + "-", StringComparison.Ordinal));
}
