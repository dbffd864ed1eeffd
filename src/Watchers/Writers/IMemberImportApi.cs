using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Informers;

namespace ErieCanal.Orleans.Watchers.Writers;

/// <summary>The member API calls a writer engine makes; every failure is thrown, the engine's queue retries.</summary>
public interface IMemberImportApi
{
    /// <summary>Server-side apply; creates the namespace first when the member lacks it (SPEC §3).</summary>
    /// <summary>Server-side apply of the import; the applied object's uid (null when the answer did not say).</summary>
    Task<string?> ApplyAsync(ServiceImportResource document, CancellationToken cancellationToken);

    Task PatchRoutingAsync(string ns, string name, Routing? routing, CancellationToken cancellationToken);

    /// <summary>Deletes the ServiceImport; an absent one is not an error.</summary>
    Task DeleteAsync(string ns, string name, CancellationToken cancellationToken);

    /// <summary>The ServiceImports of this system in the member (by the managed-by label).</summary>
    Task<IReadOnlyList<(string Namespace, string Name)>> ListManagedAsync(CancellationToken cancellationToken);

    /// <summary>Sets the two conditions through the policy's one condition owner; an absent policy is not an error.</summary>
    Task SetPolicyConditionsAsync(PatchPolicyConditions work, CancellationToken cancellationToken);

    /// <summary>
    /// A Kubernetes Event on the ServiceImport (Warning or Normal) in the member; an absent import is not an error.
    /// </summary>
    Task RecordEventAsync(string ns, string name, bool warning, string reason, string message, CancellationToken cancellationToken);

    /// <summary>Watches the member's ServiceImports into <paramref name="handler"/> until cancelled.</summary>
    Task WatchAsync(IInformerHandler<ServiceImportResource> handler, CancellationToken cancellationToken);
}
