using System.Net;
using System.Net.Sockets;
using ErieCanal.Orleans.Integration.Tests.Infrastructure;
using ErieCanal.Orleans.Interfaces;
using ErieCanal.Orleans.Sandbox.Hosting;
using ErieCanal.Orleans.Watchers.Crds;
using k8s;
using k8s.Models;
using Xunit;

namespace ErieCanal.Orleans.Integration.Tests;

/// <summary>
/// Members that differ from the ones the embedded environment sets up, each a sandbox of its own registered on the
/// shared control plane: one carrying older flomesh.io CRDs, one whose gateway accepts connections but never answers.
/// </summary>
[Collection(ReconcilerCollection.Name)]
public sealed class MemberCompatibilityTests(ReconcilerFixture fixture)
{
    [Fact]
    public async Task A_member_with_older_CRDs_is_upgraded_and_the_Cluster_says_so()
    {
        await using var sandbox = await SandboxHost.StartAsync(["older"], controlPort: 0);
        using var member = ExtraMembers.Client(sandbox["older"]);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "older-crds"), "*.yaml"))
        {
            await member.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(await File.ReadAllTextAsync(file)));
        }

        await sandbox["older"].Gateway.StartAsync(0);
        using var controlPlane = fixture.Client("control-plane");
        await ExtraMembers.RegisterAsync(controlPlane, "older", sandbox["older"]);
        try
        {
            var crds = await Eventually.Until(() => ExtraMembers.ConditionAsync(controlPlane, "older", ConditionTypes.CrdsCompatible), c => c is not null, "CrdsCompatible reported");
            Assert.Equal(("True", ConditionReasons.CrdsUpgraded), (crds!.Status, crds.Reason));
            Assert.Contains("serviceimports.flomesh.io v1alpha1: status.routing is not in the schema", crds.Message, StringComparison.Ordinal);

            var events = await Eventually.Until(() => controlPlane.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=older,involvedObject.kind=Cluster"),
                l => l.Items.Any(e => e.Reason == ConditionReasons.CrdsUpgraded), "a CrdsUpgraded event on the Cluster");
            Assert.Equal("Normal", events.Items.First(e => e.Reason == ConditionReasons.CrdsUpgraded).Type);

            // The member's CRD now holds what the system writes, and the member is managed as any other.
            var imports = await member.ApiextensionsV1.ReadCustomResourceDefinitionAsync("serviceimports.flomesh.io");
            Assert.Empty(CrdCompatibility.Check(imports, CrdCompatibility.Required[0].Fields));
            await Eventually.Until(() => ExtraMembers.ConditionAsync(controlPlane, "older", ConditionTypes.Managed), c => c?.Status == "True", "Managed=True");
        }
        finally
        {
            await ExtraMembers.UnregisterAsync(controlPlane, "older");
        }
    }

    [Fact]
    public async Task A_gateway_that_accepts_connections_but_never_answers_is_unhealthy()
    {
        await using var sandbox = await SandboxHost.StartAsync(["mute"], controlPort: 0);
        using var member = ExtraMembers.Client(sandbox["mute"]);
        foreach (var crd in CrdManifests.Load())
        {
            await member.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        }

        // A bare TCP connect succeeds here; only an HTTP probe sees that nothing answers.
        using var mute = new TcpListener(IPAddress.Loopback, 0);
        mute.Start();
        var held = new List<TcpClient>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    held.Add(await mute.AcceptTcpClientAsync(stop.Token));
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        using var controlPlane = fixture.Client("control-plane");
        await ExtraMembers.RegisterAsync(controlPlane, "mute", sandbox["mute"], ((IPEndPoint)mute.LocalEndpoint).Port);
        try
        {
            await Eventually.Until(() => ExtraMembers.ConditionAsync(controlPlane, "mute", ConditionTypes.Managed), c => c?.Status == "True", "Managed=True");
            var healthy = await Eventually.Until(() => ExtraMembers.ConditionAsync(controlPlane, "mute", ConditionTypes.Healthy),
                c => c is { Status: "False" }, "Healthy=False for a gateway that never answers");
            Assert.Equal(ConditionReasons.GatewayUnreachable, healthy!.Reason);
        }
        finally
        {
            await ExtraMembers.UnregisterAsync(controlPlane, "mute");
            await stop.CancelAsync();
            await accepting;
            mute.Stop();
            held.ForEach(c => c.Dispose());
        }
    }
}
