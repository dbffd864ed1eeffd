namespace ErieCanal.Orleans.Watchers.Informers;

/// <summary>Receives an informer's view of the objects, in order, one call at a time.</summary>
public interface IInformerHandler<in T>
{
    /// <summary>An object was added or modified, or seen new or changed in a (re)list.</summary>
    Task OnUpsertAsync(T obj, CancellationToken cancellationToken);

    /// <summary>A watched delete, or one synthesised because the object was missing from a relist.</summary>
    Task OnDeleteAsync(T lastKnown, CancellationToken cancellationToken);

    /// <summary>Every object of a successful (re)list has been delivered.</summary>
    Task OnSyncedAsync(CancellationToken cancellationToken);
}
