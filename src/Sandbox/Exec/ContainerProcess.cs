namespace ErieCanal.Orleans.Sandbox.Exec;

/// <summary>
/// What a simulated program sees when it runs in a container: its arguments, its outputs, the pod's network and the
/// container's environment (the literal <c>env</c> values of its spec).
/// </summary>
public sealed record ContainerProcess(IReadOnlyList<string> Arguments, ProcessOutput Stdout, ProcessOutput Stderr, PodNetwork Network)
{
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
