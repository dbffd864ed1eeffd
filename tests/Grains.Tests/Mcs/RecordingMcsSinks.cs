using ErieCanal.Orleans.Interfaces.Mcs;

namespace ErieCanal.Orleans.Grains.Tests.Mcs;

/// <summary>Records the decisions an MCS export grain hands its engine.</summary>
internal sealed class RecordingMcsExportSink : IMcsExportWorkSink
{
    public List<IMcsExportWork> Work { get; } = [];

    public void Submit(IMcsExportWork work) => Work.Add(work);

    public WriteMcsExportConditions LastConditions => Work.OfType<WriteMcsExportConditions>().Last();

    public void Clear() => Work.Clear();
}

/// <summary>Records the decisions an MCS import writer grain hands its engine.</summary>
internal sealed class RecordingMcsImportSink : IMcsImportWorkSink
{
    public List<IMcsImportWork> Work { get; } = [];

    public void Submit(IMcsImportWork work) => Work.Add(work);

    public IEnumerable<T> Of<T>() => Work.OfType<T>();

    public void Clear() => Work.Clear();
}
