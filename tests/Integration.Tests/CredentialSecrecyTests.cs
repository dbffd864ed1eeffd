using System.Text;
using System.Text.Json;
using ErieCanal.Orleans.Grains.Hosting;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Embedded;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// Member credentials stay out of logs, Events and conditions: Clusters whose kubeconfigs carry distinctive tokens
/// and client keys (valid, unparseable, with a broken client key, a wrong token, an unreachable server) are run by
/// in-process silos whose every log line is captured at Debug; none of the secrets appears in a log line, an Event
/// of the control plane or a member, or a Cluster's status. An inline kubeconfig gets CredentialsSecure=False and one
/// Warning Event; a Secret reference gets CredentialsSecure=True.
/// </summary>
public sealed class CredentialSecrecyTests : IAsyncLifetime
{
    private const string LeakedToken = "LEAKTOKEN-7f3a9c21e4b84d0d";
    private const string LeakedKey = "LEAKKEY0c2VjcmV0LWtleS1tYXRlcmlhbC0xMjM0NTY3ODkw";
    private const string LeakedPassword = "LEAKPASSWORD-51b0e6";
    private static readonly CapturedLogs Logs = new();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "erie-canal-secrecy-tests", Guid.NewGuid().ToString("N"));
    private EmbeddedEnvironment _environment = null!;
    private TestCluster _silos = null!;

    public async Task InitializeAsync()
    {
        _environment = await EmbeddedEnvironment.StartAsync(["cluster-1", "cluster-2"], _directory, registerMembers: false,
            new SandboxClusterOptions { BookmarkInterval = TimeSpan.FromSeconds(1), PodReadyDelay = TimeSpan.FromMilliseconds(100) });
        var builder = new TestClusterBuilder(2);
        builder.Properties["ErieCanal:ControlPlaneKubeconfig"] = _environment.ControlPlaneKubeconfig;
        builder.Properties["ErieCanal:ResyncInterval"] = "00:00:02";
        builder.Properties["ErieCanal:RepairInterval"] = "00:00:03";
        builder.Properties["ErieCanal:RequestTimeout"] = "00:00:05";
        builder.Properties["ErieCanal:Informer:InitialBackoff"] = "00:00:00.100";
        builder.Properties["ErieCanal:Informer:MaxBackoff"] = "00:00:01";
        builder.AddSiloBuilderConfigurator<CapturingSilo>();
        _silos = builder.Build();
        await _silos.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _silos.StopAllSilosAsync();
        await _silos.DisposeAsync();
        await _environment.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task No_credential_reaches_a_log_line_an_Event_or_a_condition()
    {
        using var controlPlane = _environment.Client(EmbeddedEnvironment.ControlPlaneName);
        var member1 = _environment.Sandbox["cluster-1"];
        var member2 = _environment.Sandbox["cluster-2"];

        // Valid and inline (the seed's form); valid through a Secret.
        await RegisterAsync(controlPlane, "inline", member1.Kubeconfig(), gatewayPort: member1.Gateway.Port);
        await controlPlane.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "cluster-2-kubeconfig" },
            Data = new Dictionary<string, byte[]> { ["kubeconfig"] = Encoding.UTF8.GetBytes(member2.Kubeconfig()) },
        }, "default");
        await controlPlane.CustomObjects.CreateClusterCustomObjectAsync(new ClusterResource
        {
            Metadata = new V1ObjectMeta { Name = "by-secret" },
            Spec = new ClusterResourceSpec { GatewayHost = "127.0.0.1", GatewayPort = member2.Gateway.Port, KubeconfigSecretRef = new KubeconfigSecretRef { Namespace = "default", Name = "cluster-2-kubeconfig", Key = "kubeconfig" } },
        }, ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural);

        // Broken in every way that produces an error message.
        await RegisterAsync(controlPlane, "bad-client-key", Kubeconfig("https://127.0.0.1:1", $"""
                client-certificate-data: {LeakedKey}
                client-key-data: {LeakedKey}
            """));
        await RegisterAsync(controlPlane, "unparseable", $"apiVersion: v1\nusers:\n- name: u\n  user:\n    token: {LeakedToken}\n    password: {LeakedPassword}\n  : : [ {LeakedToken}");
        await RegisterAsync(controlPlane, "wrong-token", Kubeconfig(member1.Server.ToString(), $"    token: {LeakedToken}"));
        await RegisterAsync(controlPlane, "unreachable", Kubeconfig("https://127.0.0.1:1", $"""
                username: admin
                password: {LeakedPassword}
            """));

        await Eventually.Until(() => ConditionAsync(controlPlane, "inline", ConditionTypes.Managed), c => c?.Status == "True", "inline: Managed=True");
        await Eventually.Until(() => ConditionAsync(controlPlane, "by-secret", ConditionTypes.Managed), c => c?.Status == "True", "by-secret: Managed=True");
        await Eventually.Until(() => ConditionAsync(controlPlane, "bad-client-key", ConditionTypes.Managed), c => c?.Reason == ConditionReasons.InvalidKubeconfig, "bad-client-key: InvalidKubeconfig");
        await Eventually.Until(() => ConditionAsync(controlPlane, "unparseable", ConditionTypes.Managed), c => c?.Reason == ConditionReasons.InvalidKubeconfig, "unparseable: InvalidKubeconfig");
        await Eventually.Until(() => ConditionAsync(controlPlane, "wrong-token", ConditionTypes.Managed), c => c?.Reason == ConditionReasons.Unauthorized, "wrong-token: Unauthorized");
        await Eventually.Until(() => ConditionAsync(controlPlane, "unreachable", ConditionTypes.Managed), c => c?.Reason == ConditionReasons.Unreachable, "unreachable: Unreachable");

        // The credentials condition: False for every inline kubeconfig, True for the Secret reference.
        var inline = await Eventually.Until(() => ConditionAsync(controlPlane, "inline", ConditionTypes.CredentialsSecure), c => c is not null, "inline: CredentialsSecure");
        Assert.Equal(("False", ConditionReasons.InlineKubeconfig), (inline!.Status, inline.Reason));
        Assert.Contains("kubeconfigSecretRef", inline.Message, StringComparison.Ordinal);
        var bySecret = await Eventually.Until(() => ConditionAsync(controlPlane, "by-secret", ConditionTypes.CredentialsSecure), c => c is not null, "by-secret: CredentialsSecure");
        Assert.Equal(("True", ConditionReasons.KubeconfigSecretRef), (bySecret!.Status, bySecret.Reason));
        Assert.Equal("False", (await ConditionAsync(controlPlane, "unreachable", ConditionTypes.CredentialsSecure))?.Status);

        // One Warning Event per inline Cluster, also after resyncs and a reconnect (each failing session retried
        // meanwhile); none for the Secret reference.
        await Eventually.Until(async () => (await ClusterEventsAsync(controlPlane, "unreachable")).Count(e => e.Reason == ConditionReasons.Unreachable) >= 2, "unreachable: retried and reported twice");
        var inlineWarnings = (await ClusterEventsAsync(controlPlane, "inline")).Where(e => e.Reason == ConditionReasons.InlineKubeconfig).ToList();
        Assert.Single(inlineWarnings);
        Assert.Equal("Warning", inlineWarnings[0].Type);
        Assert.DoesNotContain(await ClusterEventsAsync(controlPlane, "by-secret"), e => e.Reason == ConditionReasons.InlineKubeconfig);

        // Now search everything a user or an operator can read.
        var secrets = new[] { LeakedToken, LeakedKey, LeakedPassword, member1.Token, member2.Token };
        var events = new List<string>();
        foreach (var cluster in _environment.Sandbox.Clusters)
        {
            using var client = _environment.Client(cluster.Name);
            events.AddRange((await client.CoreV1.ListEventForAllNamespacesAsync()).Items.Select(e => $"{cluster.Name} {e.Reason}: {e.Message}"));
        }

        Assert.NotEmpty(events);
        var statuses = new List<string>();
        foreach (var name in new[] { "inline", "by-secret", "bad-client-key", "unparseable", "wrong-token", "unreachable" })
        {
            statuses.Add(JsonSerializer.Serialize((await GetClusterAsync(controlPlane, name)).Status));
        }

        var logs = Logs.Lines.ToList();
        // The capture works: the failing members were logged about.
        Assert.Contains(logs, l => l.Contains("default/default/default/unreachable", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.Contains("default/default/default/bad-client-key", StringComparison.Ordinal));
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(logs, l => l.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(events, e => e.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(statuses, s => s.Contains(secret, StringComparison.Ordinal));
        }
    }

    private static string Kubeconfig(string server, string user) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: c
          cluster:
            server: {server.TrimEnd('/')}
        users:
        - name: u
          user:
        {user}
        contexts:
        - name: c
          context:
            cluster: c
            user: u
        current-context: c
        """;

    private static Task RegisterAsync(IKubernetes controlPlane, string name, string kubeconfig, int gatewayPort = 1) =>
        controlPlane.CustomObjects.CreateClusterCustomObjectAsync(new ClusterResource
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new ClusterResourceSpec { GatewayHost = "127.0.0.1", GatewayPort = gatewayPort, Kubeconfig = kubeconfig },
        }, ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural);

    private static async Task<ClusterResource> GetClusterAsync(IKubernetes controlPlane, string name)
    {
        var raw = await controlPlane.CustomObjects.GetClusterCustomObjectAsync(ClusterResource.Group, ClusterResource.Version, ClusterResource.Plural, name);
        return KubernetesJson.Deserialize<ClusterResource>(((JsonElement)raw).GetRawText());
    }

    private static async Task<Condition?> ConditionAsync(IKubernetes controlPlane, string name, string type) =>
        Manifests.ConditionOf((await GetClusterAsync(controlPlane, name)).Status?.Conditions, type);

    private static async Task<IReadOnlyList<Corev1Event>> ClusterEventsAsync(IKubernetes controlPlane, string name) =>
        [.. (await controlPlane.CoreV1.ListNamespacedEventAsync("default")).Items.Where(e => e.InvolvedObject?.Kind == "Cluster" && e.InvolvedObject.Name == name)];

    private sealed class CapturingSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.Services.AddSingleton<ILoggerProvider>(Logs);
            siloBuilder.Services.AddLogging(logging => logging
                .AddFilter<CapturedLogs>(null, LogLevel.Information)
                .AddFilter<CapturedLogs>("ErieCanal", LogLevel.Trace)
                .AddFilter<CapturedLogs>("k8s", LogLevel.Trace));
            siloBuilder.AddErieCanalStorage(redisConnectionString: null);
            siloBuilder.AddErieCanal(siloBuilder.Configuration);
        }
    }
}
