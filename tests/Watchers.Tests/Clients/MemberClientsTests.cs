using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Clients;
using Xunit;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Tests.Clients;

public sealed class MemberClientsTests
{
    // A kubeconfig is only parsed here, never dialled.
    private const string Kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters: [{name: c1, cluster: {server: "http://127.0.0.1:1"}}]
        users: [{name: u, user: {token: t}}]
        contexts: [{name: c1, context: {cluster: c1, user: u}}]
        current-context: c1
        """;

    private static readonly ClusterSpec Spec = new("c1", "uid", "default", "default", "default", null, 80, Kubeconfig, null, 1, "1");

    [Fact]
    public async Task A_member_that_left_keeps_its_client_until_its_teardown_drops_it()
    {
        using var credentials = new MemberCredentials((_, _) => Task.FromResult<V1Secret?>(null));
        using var clients = new MemberClients(credentials, Microsoft.Extensions.Options.Options.Create(new ErieCanalOptions()));
        await credentials.ResolveAsync(Spec, refresh: false, CancellationToken.None);
        var client = await clients.GetAsync(Spec.ClusterKey);

        // The control-plane watcher forgets the credentials as soon as the member's grain took the removal; the
        // withdrawal that follows still writes to the member.
        credentials.Forget(Spec.ClusterKey);
        Assert.Same(client, await clients.GetAsync(Spec.ClusterKey));

        clients.Invalidate(Spec.ClusterKey);
        await Assert.ThrowsAsync<MemberUnavailableException>(() => clients.GetAsync(Spec.ClusterKey));
    }

    [Fact]
    public async Task A_member_never_known_here_is_unavailable()
    {
        using var credentials = new MemberCredentials((_, _) => Task.FromResult<V1Secret?>(null));
        using var clients = new MemberClients(credentials, Microsoft.Extensions.Options.Options.Create(new ErieCanalOptions()));
        await Assert.ThrowsAsync<MemberUnavailableException>(() => clients.GetAsync(Spec.ClusterKey));
    }
}
