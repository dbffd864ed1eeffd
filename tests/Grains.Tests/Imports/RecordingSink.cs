using ErieCanal.Orleans.Watchers.Writers;

namespace ErieCanal.Orleans.Grains.Tests.Imports;

/// <summary>Records the decisions a writer grain hands its engine.</summary>
internal sealed class RecordingSink : IImportWorkSink
{
    public List<ImportWork> Work { get; } = [];

    public void Submit(ImportWork work) => Work.Add(work);

    public int Count<T>()
        where T : ImportWork => Work.OfType<T>().Count();

    public void Clear() => Work.Clear();
}
