using ErieCanal.Orleans.Interfaces.Mcs;

namespace ErieCanal.Orleans.Grains.Mcs;

/// <summary>
/// What one observation of an MCS export means: its Valid condition, and what it contributes to its service's import
/// (null: nothing). <see cref="Failure"/>: valid, but the member cannot export now (Ready False/Failed).
/// </summary>
public sealed record McsExportJudgement(McsCondition Valid, McsContribution? Contribution, McsCondition? Failure = null)
{
    public bool IsValid => Valid.Status == McsCondition.True;
}
