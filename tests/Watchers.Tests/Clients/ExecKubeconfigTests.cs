using ErieCanal.Orleans.Watchers.Clients;
using Xunit;
using k8s;

namespace ErieCanal.Orleans.Watchers.Tests.Clients;

/// <summary>
/// A member's kubeconfig comes from a Cluster object: one whose user runs an exec credential plugin would make every
/// silo run a command of the Cluster author's choosing. It is refused before the command runs, unless allowed.
/// </summary>
public sealed class ExecKubeconfigTests : IDisposable
{
    private readonly string _marker = Path.Combine(Path.GetTempPath(), $"erie-canal-exec-{Guid.NewGuid():N}");

    public void Dispose() => File.Delete(_marker);

    [Fact]
    public void An_exec_credential_plugin_is_refused_with_a_clear_message_and_never_run()
    {
        var error = Assert.Throws<InvalidKubeconfigException>(() => KubeconfigLoader.Load(ExecKubeconfig(), TimeSpan.FromSeconds(1), allowExec: false));
        Assert.Contains("exec plugin ('sh')", error.Message, StringComparison.Ordinal);
        Assert.Contains("ErieCanal:AllowMemberExecCredentials", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_marker), "the plugin ran");
    }

    [Fact]
    public void An_auth_provider_command_is_refused_too()
    {
        var kubeconfig = """
            apiVersion: v1
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
            users: [{name: u, user: {auth-provider: {name: gcp, config: {cmd-path: /bin/sh, cmd-args: "-c touch${IFS}MARKER"}}}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            current-context: c
            """.Replace("MARKER", _marker, StringComparison.Ordinal);
        var error = Assert.Throws<InvalidKubeconfigException>(() => KubeconfigLoader.Load(kubeconfig, TimeSpan.FromSeconds(1), allowExec: false));
        Assert.Contains("cmd-path", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_marker), "the command ran");
    }

    [Fact]
    public async Task Allowed_explicitly_the_plugin_runs_as_KubernetesClient_runs_it()
    {
        // The operator's own kubeconfigs (the control plane's file) keep working with exec plugins.
        try
        {
            using var client = KubeconfigLoader.Load(ExecKubeconfig(), TimeSpan.FromSeconds(1), allowExec: true);
            await client.CoreV1.ListNamespaceAsync(limit: 1);
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            // The plugin prints no credential and nothing listens on the server's port: what matters is that it ran.
        }

        Assert.True(File.Exists(_marker), "the plugin did not run although allowed");
    }

    private string ExecKubeconfig() => """
        apiVersion: v1
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
        users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh, args: ["-c", "touch${IFS}MARKER"], interactiveMode: Never}}}]
        contexts: [{name: c, context: {cluster: c, user: u}}]
        current-context: c
        """.Replace("MARKER", _marker, StringComparison.Ordinal);
}
