using System.Text.Json.Nodes;
using ErieCanal.Orleans.Conformance.Tests.Objects;
using Xunit;

namespace ErieCanal.Orleans.Conformance.Tests.Harness;

/// <summary>
/// newTwoClusterTestDriver: the driver exports in clients[0] itself, waits for the import there, waits 1.1 s, then
/// deploys <see cref="HelloService2"/> (as the case changed it) and exports <see cref="HelloServiceExport2"/> in clients[1].
/// </summary>
public sealed class TwoClusterTestDriver
{
    public TwoClusterTestDriver(TestDriver t)
    {
        // requireTwoClusters: upstream skips with fewer; the embedded system always has three, so this is a harness error.
        Assert.True(t.Clients.Count >= 2, "This test requires at least 2 clusters");
        T = t;
        t.AutoExportService = false;
        t.JustBeforeEach.Add(JustBeforeEachAsync);
    }

    public TestDriver T { get; }

    public JsonObject HelloService2 { get; set; } = HelloObjects.Service();

    public JsonObject HelloServiceExport2 { get; set; } = HelloObjects.ServiceExport();

    private async Task JustBeforeEachAsync()
    {
        await T.CreateServiceExportAsync(T.Clients[0], T.HelloServiceExport);

        // The conflict resolution policy lets an implementation keep the first observed export, so the import must
        // exist on the first cluster before the second cluster deploys.
        await T.AwaitServiceImportAsync(T.Clients[0], HelloObjects.HelloServiceName);

        // Delay a little before deploying on the second cluster so the first cluster's ServiceExport timestamp is
        // older and conflict checking is deterministic for implementations that resolve by timestamp. At least 1 s:
        // creation timestamps have seconds granularity. (The suite's one fixed sleep, kept as it is.)
        await Task.Delay(TimeSpan.FromMilliseconds(1100));

        await T.DeployHelloServiceAsync(T.Clients[1], HelloService2);
        await T.CreateServiceExportAsync(T.Clients[1], HelloServiceExport2);
    }
}
