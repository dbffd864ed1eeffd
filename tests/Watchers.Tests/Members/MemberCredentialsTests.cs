using System.Text;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Watchers.Clients;
using Xunit;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Tests.Members;

public sealed class MemberCredentialsTests
{
    private static ClusterSpec Spec(string? kubeconfig, SecretRef? secretRef, string resourceVersion = "1") =>
        new("c1", "uid", "default", "default", "default", null, 80, kubeconfig, secretRef, 1, resourceVersion);

    [Fact]
    public async Task An_inline_kubeconfig_is_cached_under_the_member()
    {
        var credentials = new MemberCredentials((_, _) => throw new InvalidOperationException("no Secret should be read"));
        var spec = Spec("inline", null);
        Assert.Null(credentials.Find(spec.ClusterKey));

        Assert.Equal("inline", await credentials.ResolveAsync(spec, refresh: false, CancellationToken.None));
        Assert.Equal("inline", credentials.Find(spec.ClusterKey)?.Kubeconfig);

        credentials.Forget(spec.ClusterKey);
        Assert.Null(credentials.Find(spec.ClusterKey));
    }

    [Fact]
    public async Task A_secret_is_read_once_per_resourceVersion_unless_refreshed()
    {
        var reads = 0;
        var text = "first";
        var credentials = new MemberCredentials((_, _) =>
        {
            reads++;
            return Task.FromResult<V1Secret?>(new V1Secret { Data = new Dictionary<string, byte[]> { ["kubeconfig"] = Encoding.UTF8.GetBytes(text) } });
        });
        var spec = Spec(null, new SecretRef("erie-canal", "c1", "kubeconfig"));

        Assert.Equal("first", await credentials.ResolveAsync(spec, refresh: false, CancellationToken.None));
        Assert.Equal("first", await credentials.ResolveAsync(spec, refresh: false, CancellationToken.None));
        Assert.Equal(1, reads);
        var version = credentials.Find(spec.ClusterKey)!.Version;

        // Rotated: a refresh (a reconnecting session) picks it up, and the version tells clients to rebuild.
        text = "second";
        Assert.Equal("second", await credentials.ResolveAsync(spec, refresh: true, CancellationToken.None));
        Assert.NotEqual(version, credentials.Find(spec.ClusterKey)!.Version);

        // Unchanged text on a new resourceVersion keeps the version: clients are not rebuilt for nothing.
        version = credentials.Find(spec.ClusterKey)!.Version;
        await credentials.ResolveAsync(spec with { ResourceVersion = "2" }, refresh: false, CancellationToken.None);
        Assert.Equal(version, credentials.Find(spec.ClusterKey)!.Version);
    }

    [Theory]
    [InlineData("inline", true, "exactly one")]
    [InlineData(null, false, "set one of")]
    public async Task A_spec_without_exactly_one_source_is_refused_with_a_reason(string? kubeconfig, bool withSecret, string expected)
    {
        var credentials = new MemberCredentials((_, _) => Task.FromResult<V1Secret?>(null));
        var spec = Spec(kubeconfig, withSecret ? new SecretRef("ns", "s", "kubeconfig") : null);
        var ex = await Assert.ThrowsAsync<InvalidKubeconfigException>(() => credentials.ResolveAsync(spec, refresh: false, CancellationToken.None));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Null(credentials.Find(spec.ClusterKey));
    }

    [Fact]
    public async Task A_missing_secret_or_key_is_named_and_tried_again_next_time()
    {
        V1Secret? secret = null;
        var credentials = new MemberCredentials((_, _) => Task.FromResult(secret));
        var spec = Spec(null, new SecretRef("erie-canal", "c1", "kubeconfig"));

        var missing = await Assert.ThrowsAsync<InvalidKubeconfigException>(() => credentials.ResolveAsync(spec, refresh: false, CancellationToken.None));
        Assert.Contains("Secret erie-canal/c1 does not exist", missing.Message, StringComparison.Ordinal);

        secret = new V1Secret { StringData = new Dictionary<string, string> { ["other"] = "x" } };
        var noKey = await Assert.ThrowsAsync<InvalidKubeconfigException>(() => credentials.ResolveAsync(spec, refresh: false, CancellationToken.None));
        Assert.Contains("has no key 'kubeconfig'", noKey.Message, StringComparison.Ordinal);

        secret = new V1Secret { StringData = new Dictionary<string, string> { ["kubeconfig"] = "now" } };
        Assert.Equal("now", await credentials.ResolveAsync(spec, refresh: false, CancellationToken.None));
    }
}
