namespace ErieCanal.Orleans.Interfaces.Mcs;

/// <summary>A port of an exported Service as the ServiceImport carries it (no targetPort: the v0.5.0 CRD has none).</summary>
[GenerateSerializer, Immutable]
public sealed record McsPort(string Name, string Protocol, int Port, string? AppProtocol);
