namespace ErieCanal.Orleans.Watchers.Writers;

/// <summary>The object a queued key stands for: a member's ServiceImport or its GlobalTrafficPolicy of the same name.</summary>
public enum WorkTarget
{
    ServiceImport,
    TrafficPolicy,
}

/// <summary>A key of the engine's queue: one object, whatever work it has pending.</summary>
public readonly record struct WorkKey(WorkTarget Target, string Namespace, string Name)
{
    public override string ToString() => $"{Target} {Namespace}/{Name}";
}
