namespace ErieCanal.Orleans.Chaos.Bench;

/// <summary>One seeded operation on one member's objects, with everything it writes decided up front.</summary>
public sealed record Operation(int Index, OperationKind Kind, string Member, string Service)
{
    public int Replicas { get; init; }

    public string SessionAffinity { get; init; } = "None";

    /// <summary>The export rule's path.</summary>
    public string Path { get; init; } = "/";

    /// <summary>The export's targetClusters (bare member names); empty: every member.</summary>
    public IReadOnlyList<string> TargetClusters { get; init; } = [];

    public PolicyChoice? Policy { get; init; }

    public override string ToString() => $"#{Index} {Kind} {Member}/{Service}";
}

/// <summary>A valid GlobalTrafficPolicy (the system's validation is not under test here): lbType and weighted targets.</summary>
public sealed record PolicyChoice(string LbType, IReadOnlyList<(string ClusterKey, int? Weight)> Targets);
