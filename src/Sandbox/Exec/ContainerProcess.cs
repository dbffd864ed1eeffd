namespace ErieCanal.Orleans.Sandbox.Exec;

/// <summary>What a simulated program sees when it runs in a container: its arguments, its outputs and the pod's network.</summary>
public sealed record ContainerProcess(IReadOnlyList<string> Arguments, ProcessOutput Stdout, ProcessOutput Stderr, PodNetwork Network);
