using ErieCanal.Orleans.Watchers.Exports;

namespace ErieCanal.Orleans.Grains.Tests.Exports;

/// <summary>Records the decisions an export grain hands its member's engine.</summary>
internal sealed class RecordingExportSink : IExportWorkSink
{
    public List<ExportWork> Work { get; } = [];

    public void Submit(ExportWork work) => Work.Add(work);

    public IEnumerable<T> Of<T>()
        where T : ExportWork => Work.OfType<T>();

    public void Clear() => Work.Clear();
}
