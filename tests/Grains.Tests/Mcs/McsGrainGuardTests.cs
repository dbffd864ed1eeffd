using ErieCanal.Orleans.Grains.Mcs;
using ErieCanal.Orleans.Grains.Tests.Guard;
using Xunit;

namespace ErieCanal.Orleans.Grains.Tests.Mcs;

/// <summary>The MCS grains are seen by the scheduler guard and only decide (no I/O, never off their scheduler).</summary>
public sealed class McsGrainGuardTests
{
    [Theory]
    [InlineData(typeof(McsServiceExportGrain))]
    [InlineData(typeof(McsServiceImportGrain))]
    [InlineData(typeof(McsImportWriterGrain))]
    public void An_mcs_grain_is_guarded_and_clean(Type grain)
    {
        Assert.Contains(grain, GrainScanner.Grains(typeof(McsImportMerger).Assembly));
        Assert.Empty(GrainScanner.Offences(grain));
    }
}
