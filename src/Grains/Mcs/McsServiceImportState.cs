using ErieCanal.Orleans.Interfaces.Mcs;

namespace ErieCanal.Orleans.Grains.Mcs;

/// <summary>What an MCS import grain persists: every member's contribution, and the version its import is at.</summary>
[GenerateSerializer]
public sealed class McsServiceImportState
{
    [Id(0)]
    public Dictionary<string, McsContribution> Contributions { get; set; } = new(StringComparer.Ordinal);

    [Id(1)]
    public long Version { get; set; }
}
