using ErieCanal.Orleans.Watchers.Informers;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.Watchers.Tests.Infrastructure;

/// <summary>Records every call an informer makes, in order; can be told to throw for chosen objects.</summary>
public sealed class RecordingHandler<T> : IInformerHandler<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Lock _gate = new();
    private readonly List<(string Call, string Name)> _calls = [];

    /// <summary>Upserts of objects matching this throw, as a buggy handler would.</summary>
    public Func<T, bool> ThrowOnUpsert { get; init; } = _ => false;

    public IReadOnlyList<(string Call, string Name)> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    public int Count(string call, string name) => Calls.Count(c => c.Call == call && c.Name == name);

    public bool Saw(string call, string name) => Count(call, name) > 0;

    public int Syncs => Calls.Count(c => c.Call == "synced");

    public Task OnUpsertAsync(T obj, CancellationToken cancellationToken)
    {
        Record("upsert", obj.Metadata.Name);
        if (ThrowOnUpsert(obj))
        {
            throw new InvalidOperationException($"handler bug on {obj.Metadata.Name}");
        }

        return Task.CompletedTask;
    }

    public Task OnDeleteAsync(T lastKnown, CancellationToken cancellationToken)
    {
        Record("delete", lastKnown.Metadata.Name);
        return Task.CompletedTask;
    }

    public Task OnSyncedAsync(CancellationToken cancellationToken)
    {
        Record("synced", "");
        return Task.CompletedTask;
    }

    private void Record(string call, string name)
    {
        lock (_gate)
        {
            _calls.Add((call, name));
        }
    }
}
