using ErieCanal.Orleans.Grains.Members;
using ErieCanal.Orleans.Interfaces;
using Xunit;

namespace ErieCanal.Orleans.Grains.Tests.Members;

/// <summary>
/// How a member grain stores its Cluster spec: never with the inline kubeconfig, only its digest; the full spec is
/// restored from the kubeconfig the silo's watcher cached, and awaited (still a member) while that is not the one.
/// </summary>
public sealed class ClusterGrainStateTests
{
    private const string Token = "sandbox-cluster-1-0f3c9a7e5d2b4c6a8e1f";

    private static readonly string Kubeconfig = $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: cluster-1
          cluster:
            server: https://127.0.0.1:6443
        users:
        - name: cluster-1-admin
          user:
            token: {Token}
        current-context: cluster-1
        """;

    private static readonly ClusterSpec Inline = new("cluster-1", "uid-1", "default", "default", "default", "127.0.0.1", 8091, Kubeconfig, null, 1, "41");

    private static readonly ClusterSpec BySecret = Inline with { Kubeconfig = null, KubeconfigSecretRef = new SecretRef("default", "cluster-1-kubeconfig", "kubeconfig") };

    [Fact]
    public void The_spec_is_kept_without_its_inline_kubeconfig_and_with_its_digest()
    {
        var state = new ClusterGrainState();
        state.Keep(Inline);

        Assert.Equal(Inline with { Kubeconfig = null }, state.Spec);
        Assert.Matches("^[0-9a-f]{64}$", state.InlineKubeconfigDigest);
        Assert.DoesNotContain(Token, state.InlineKubeconfigDigest, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cached_kubeconfig_is_put_back_when_it_is_the_one_stored()
    {
        var state = new ClusterGrainState();
        state.Keep(Inline);

        Assert.Equal(Inline, state.Restore(Kubeconfig));
    }

    [Fact]
    public void A_kubeconfig_not_cached_yet_or_another_one_is_awaited_while_the_member_stays()
    {
        var state = new ClusterGrainState();
        state.Keep(Inline);

        Assert.Null(state.Restore(null));
        Assert.Null(state.Restore(Kubeconfig.Replace(Token, "sandbox-cluster-1-rotated", StringComparison.Ordinal)));
        Assert.NotNull(state.Spec);
    }

    [Fact]
    public void A_Secret_reference_needs_no_kubeconfig_put_back()
    {
        var state = new ClusterGrainState();
        state.Keep(BySecret);

        Assert.Null(state.InlineKubeconfigDigest);
        Assert.Equal(BySecret, state.Restore(null));
        Assert.Equal(BySecret, state.Restore("the Secret's kubeconfig"));
    }

    [Fact]
    public void State_written_with_the_kubeconfig_by_a_previous_version_restores_whole_and_is_kept_stripped()
    {
        var state = new ClusterGrainState { Spec = Inline };

        var restored = state.Restore(null);
        Assert.Equal(Inline, restored);

        state.Keep(restored!);
        Assert.Null(state.Spec!.Kubeconfig);
        Assert.Equal(Inline, state.Restore(Kubeconfig));
    }

    [Fact]
    public void A_member_that_left_has_no_spec_and_no_digest()
    {
        var state = new ClusterGrainState();
        state.Keep(Inline);
        state.Forget();

        Assert.Null(state.Spec);
        Assert.Null(state.InlineKubeconfigDigest);
        Assert.Null(state.Restore(Kubeconfig));
    }

    [Fact]
    public void The_digest_tells_kubeconfigs_apart_and_a_blank_one_is_none()
    {
        Assert.Equal(ClusterGrainState.Digest(Kubeconfig), ClusterGrainState.Digest(new string(Kubeconfig.ToCharArray())));
        Assert.NotEqual(ClusterGrainState.Digest(Kubeconfig), ClusterGrainState.Digest(Kubeconfig.Replace("6443", "6444", StringComparison.Ordinal)));
        Assert.Null(ClusterGrainState.Digest(null));
        Assert.Null(ClusterGrainState.Digest("  \n"));
    }
}
