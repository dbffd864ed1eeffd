using ErieCanal.Orleans.Watchers.Clients;
using k8s;

namespace ErieCanal.Orleans.Grains.Tests.Guard;

/// <summary>Everything a grain must not do, for the guard to find: the test that the guard is not blind.</summary>
internal sealed class OffendingGrain(MemberClients clients) : Grain
{
    private readonly Lock _gate = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _counts = new();
    private IKubernetes? _client;

    public async Task<int> ListAsync()
    {
        await Task.Run(() => ThreadPool.QueueUserWorkItem(_ => { }));
        _client = await clients.GetAsync("default/default/default/cluster-1");
        var namespaces = await _client.CoreV1.ListNamespaceAsync();
        lock (_gate)
        {
            return _counts.AddOrUpdate("namespaces", namespaces.Items.Count, (_, _) => namespaces.Items.Count);
        }
    }
}
