using System.Collections.Concurrent;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Crds;
using ErieCanal.Orleans.Watchers.Informers;
using ErieCanal.Orleans.Watchers.Writers;

namespace ErieCanal.Orleans.Watchers.Tests.Writers;

/// <summary>A member in memory: records every call; the test drives the watch through the engine's handler.</summary>
public sealed class FakeMemberImportApi : IMemberImportApi
{
    public ConcurrentQueue<string> Calls { get; } = new();

    public ConcurrentDictionary<string, ServiceImportResource> Objects { get; } = new(StringComparer.Ordinal);

    /// <summary>Calls fail while this is set (the member is unreachable).</summary>
    public volatile string? FailWith;

    public TaskCompletionSource<IInformerHandler<ServiceImportResource>> Watching { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int CountOf(string call) => Calls.Count(c => c.StartsWith(call, StringComparison.Ordinal));

    public Task<string?> ApplyAsync(ServiceImportResource document, CancellationToken cancellationToken)
    {
        Fail();
        Calls.Enqueue($"apply {document.Metadata.NamespaceProperty}/{document.Metadata.Name}");
        Objects[$"{document.Metadata.NamespaceProperty}/{document.Metadata.Name}"] = document;
        return Task.FromResult<string?>(null);
    }

    public Task PatchRoutingAsync(string ns, string name, Routing? routing, CancellationToken cancellationToken)
    {
        Fail();
        Calls.Enqueue(routing is null ? $"routing {ns}/{name} removed" : $"routing {ns}/{name} {routing.ActiveEndpoints}");
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string ns, string name, CancellationToken cancellationToken)
    {
        Fail();
        Calls.Enqueue($"delete {ns}/{name}");
        Objects.TryRemove($"{ns}/{name}", out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<(string Namespace, string Name)>> ListManagedAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<(string Namespace, string Name)>>([.. Objects.Values.Select(o => (o.Metadata.NamespaceProperty, o.Metadata.Name))]);

    public Task SetPolicyConditionsAsync(PatchPolicyConditions work, CancellationToken cancellationToken)
    {
        Fail();
        Calls.Enqueue($"conditions {work.Namespace}/{work.Name}");
        return Task.CompletedTask;
    }

    /// <summary>Events recorded on ServiceImports: (namespace/name, warning, reason, message).</summary>
    public ConcurrentQueue<(string Import, bool Warning, string Reason, string Message)> Events { get; } = new();

    public Task RecordEventAsync(string ns, string name, bool warning, string reason, string message, CancellationToken cancellationToken)
    {
        Fail();
        Calls.Enqueue($"event {ns}/{name} {reason}");
        Events.Enqueue(($"{ns}/{name}", warning, reason, message));
        return Task.CompletedTask;
    }

    public async Task WatchAsync(IInformerHandler<ServiceImportResource> handler, CancellationToken cancellationToken)
    {
        Watching.TrySetResult(handler);
        await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private void Fail()
    {
        if (FailWith is { } message)
        {
            throw new HttpRequestException(message);
        }
    }
}
