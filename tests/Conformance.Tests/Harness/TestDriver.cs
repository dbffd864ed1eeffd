using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ErieCanal.Orleans.Conformance.Tests.Objects;
using ErieCanal.Orleans.Conformance.Tests.Parsers;
using Xunit;

namespace ErieCanal.Orleans.Conformance.Tests.Harness;

/// <summary>
/// The suite's testDriver (conformance_suite.go newTestDriver) for one case: the constructor is its BeforeEach
/// (fresh objects, a fresh <c>mcs-conformance-&lt;uint32&gt;</c> namespace name), a case changes the objects, then
/// <see cref="SetUpAsync"/> is its JustBeforeEach (namespace in every cluster, hello in clients[0], the request pod
/// everywhere, the export unless the case exports itself, then the case's own JustBeforeEach steps) and
/// <see cref="CleanUpAsync"/> its AfterEach (the namespace deleted in every cluster). The helpers carry the suite's budgets.
/// </summary>
public sealed class TestDriver(IReadOnlyList<ClusterClient> clients)
{
    private static readonly TimeSpan Poll100 = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan TwentySeconds = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan FiveSeconds = TimeSpan.FromSeconds(5);

    public IReadOnlyList<ClusterClient> Clients { get; } = clients;

    public string Namespace { get; } = "mcs-conformance-" + RandomUInt32().ToString(CultureInfo.InvariantCulture);

    /// <summary>The hello Service; after set-up, the one clients[0] stored (with its clusterIP and ipFamilies).</summary>
    public JsonObject HelloService { get; set; } = HelloObjects.Service();

    public JsonObject HelloServiceExport { get; set; } = HelloObjects.ServiceExport();

    /// <summary>Null: the case deploys its own backends (the StatefulSet case).</summary>
    public JsonObject? HelloDeployment { get; set; } = HelloObjects.Deployment();

    public JsonObject RequestPod { get; set; } = HelloObjects.RequestPod();

    public bool AutoExportService { get; set; } = true;

    /// <summary>Nested JustBeforeEach steps, run after the driver's own, in the order added (Ginkgo's outer-to-inner).</summary>
    public List<Func<Task>> JustBeforeEach { get; } = [];

    public string HelloServiceName => HelloService["metadata"]!["name"]!.GetValue<string>();

    public async Task SetUpAsync()
    {
        Assert.NotEmpty(Clients);
        foreach (var client in Clients)
        {
            await client.CreateAsync(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = Namespace } }, null);
        }

        // The first cluster is the remote one, where the service is deployed and exported.
        HelloService = await DeployHelloServiceAsync(Clients[0], HelloService);
        foreach (var client in Clients)
        {
            await StartRequestPodAsync(client);
        }

        if (AutoExportService)
        {
            await CreateServiceExportAsync(Clients[0], HelloServiceExport);
        }

        foreach (var step in JustBeforeEach)
        {
            await step();
        }
    }

    public async Task CleanUpAsync()
    {
        foreach (var client in Clients)
        {
            var result = await client.RunAsync("delete", "namespace", Namespace, "--wait=false", "--ignore-not-found");
            result.AssertSuccess();
        }
    }

    public async Task CreateServiceExportAsync(ClusterClient c, JsonObject serviceExport) =>
        await c.CreateAsync(serviceExport.DeepClone().AsObject(), Namespace);

    public Task DeleteServiceExportAsync(ClusterClient c) => c.DeleteAsync(McsResources.ServiceExports, HelloObjects.HelloServiceName, Namespace);

    /// <summary>deployHelloService: the hello Deployment (when the case has one) and the given Service; returns the stored Service.</summary>
    public async Task<JsonObject> DeployHelloServiceAsync(ClusterClient c, JsonObject service)
    {
        if (HelloDeployment is not null)
        {
            await c.CreateAsync(HelloDeployment.DeepClone().AsObject(), Namespace);
        }

        return await c.CreateAsync(service.DeepClone().AsObject(), Namespace);
    }

    /// <summary>getServiceImport: null when it does not exist.</summary>
    public Task<JsonObject?> GetServiceImportAsync(ClusterClient c, string name) => c.GetAsync(McsResources.ServiceImports, name, Namespace);

    /// <summary>awaitServiceImport: within 20 s, polling 100 ms, the import exists and passes <paramref name="verify"/>.</summary>
    public Task<JsonObject> AwaitServiceImportAsync(ClusterClient c, string name, Action<JsonObject>? verify = null) =>
        Gomega.Eventually(
            async () =>
            {
                var si = await GetServiceImportAsync(c, name) ?? throw new InvalidOperationException($"ServiceImport was not found on cluster \"{c.Name}\"");
                verify?.Invoke(si);
                return si;
            },
            TwentySeconds, Poll100, $"ServiceImport {Namespace}/{name} on cluster \"{c.Name}\"");

    /// <summary>awaitServiceImportIPFamilies: the import's ipFamilies, once it has some.</summary>
    public async Task<IReadOnlyList<string>> AwaitServiceImportIpFamiliesAsync(ClusterClient c)
    {
        var si = await AwaitServiceImportAsync(c, HelloServiceName, si => Assert.True(
            (si["spec"]?["ipFamilies"]?.AsArray().Count ?? 0) > 0, $"ServiceImport on cluster \"{c.Name}\" does not contain an IP family"));
        return si["spec"]!["ipFamilies"]!.AsArray().Select(f => f!.GetValue<string>()).ToList();
    }

    /// <summary>awaitNoServiceImport: gone within 20 s, polling 100 ms.</summary>
    public Task AwaitNoServiceImportAsync(ClusterClient c, string name, string nonConformanceMessage) =>
        Gomega.Eventually(
            async () => Assert.True(await GetServiceImportAsync(c, name) is null, nonConformanceMessage),
            TwentySeconds, Poll100, $"no ServiceImport {Namespace}/{name} on cluster \"{c.Name}\"");

    /// <summary>ensureServiceImport: present for 5 s, polling 100 ms.</summary>
    public Task EnsureServiceImportAsync(ClusterClient c, string name, string nonConformanceMessage) =>
        Gomega.Consistently(
            async () => Assert.True(await GetServiceImportAsync(c, name) is not null, nonConformanceMessage),
            FiveSeconds, Poll100, $"ServiceImport {Namespace}/{name} stays on cluster \"{c.Name}\"");

    /// <summary>ensureNoServiceImport: absent for 5 s, polling 100 ms.</summary>
    public Task EnsureNoServiceImportAsync(ClusterClient c, string name, string nonConformanceMessage) =>
        Gomega.Consistently(
            async () => Assert.True(await GetServiceImportAsync(c, name) is null, nonConformanceMessage),
            FiveSeconds, Poll100, $"no ServiceImport {Namespace}/{name} on cluster \"{c.Name}\"");

    /// <summary>awaitServiceExportCondition: the hello export's condition has the status within 20 s, polling 100 ms.</summary>
    public Task AwaitServiceExportConditionAsync(ClusterClient c, string type, string status) =>
        Gomega.Eventually(
            async () =>
            {
                var se = await c.GetAsync(McsResources.ServiceExports, HelloObjects.HelloServiceName, Namespace)
                    ?? throw new InvalidOperationException("the ServiceExport does not exist");
                var condition = (se["status"]?["conditions"]?.AsArray() ?? []).FirstOrDefault(x => x?["type"]?.GetValue<string>() == type);
                Assert.True(condition?["status"]?.GetValue<string>() == status, $"The {type} condition was not set to {status}");
            },
            TwentySeconds, Poll100, $"ServiceExport condition {type}={status} on cluster \"{c.Name}\"");

    /// <summary>startRequestPod: created, and Running within 20 s, polling 1 s (Gomega reads the bare 20, 1 as seconds).</summary>
    public async Task StartRequestPodAsync(ClusterClient c)
    {
        await c.CreateAsync(RequestPod.DeepClone().AsObject(), Namespace);
        await Gomega.Eventually(
            async () =>
            {
                var pod = await c.GetAsync("pod", HelloObjects.RequestPodName, Namespace) ?? throw new InvalidOperationException("the request pod does not exist");
                var phase = pod["status"]?["phase"]?.GetValue<string>();
                Assert.True(phase == "Running", $"pod is not running yet, current status {phase}");
            },
            TwentySeconds, OneSecond, $"request pod Running on cluster \"{c.Name}\"");
    }

    /// <summary>execCmdOnRequestPod: stdout of the command in the request pod.</summary>
    public Task<string> ExecCmdOnRequestPodAsync(ClusterClient c, params string[] command) =>
        c.ExecAsync(HelloObjects.RequestPodName, Namespace, command);

    /// <summary>
    /// awaitCmdOutputMatches: within 20·<paramref name="iterations"/> s, probing every 1 s, the output matches
    /// <paramref name="iterations"/> times in a row. A string matches as ContainSubstring.
    /// </summary>
    public Task AwaitCmdOutputMatchesAsync(ClusterClient c, string[] command, Func<string, bool> matches, string expected, int iterations) =>
        Gomega.Eventually(
            async () =>
            {
                var output = await ExecCmdOnRequestPodAsync(c, command);
                Assert.True(matches(output), $"Command output\n{output}\nto match {expected}");
            },
            TimeSpan.FromSeconds(20 * iterations), OneSecond, $"`{string.Join(' ', command)}` on cluster \"{c.Name}\"", iterations);

    public Task AwaitCmdOutputContainsAsync(ClusterClient c, string[] command, string substring, int iterations) =>
        AwaitCmdOutputMatchesAsync(c, command, o => o.Contains(substring, StringComparison.Ordinal), $"contain \"{substring}\"", iterations);

    /// <summary>awaitServicePodIP: the first hello pod's IP within 20 s, polling 100 ms.</summary>
    public Task<string> AwaitServicePodIpAsync(ClusterClient c) =>
        Gomega.Eventually(
            async () =>
            {
                var pods = await c.ListAsync("pods", Namespace, "app=" + HelloObjects.HelloServiceName);
                Assert.NotEmpty(pods);
                var ip = pods[0]["status"]?["podIP"]?.GetValue<string>();
                Assert.False(string.IsNullOrEmpty(ip), "Service deployment pod was not allocated an IP");
                return ip!;
            },
            TwentySeconds, Poll100, $"hello pod IP on cluster \"{c.Name}\"");

    /// <summary>execPortConnectivityCommand: in every cluster, per import family, nc to the clusterset name matches <paramref name="match"/>.</summary>
    public async Task ExecPortConnectivityCommandAsync(int port, string match, int iterations, string dnsDomain)
    {
        foreach (var client in Clients)
        {
            foreach (var family in await AwaitServiceImportIpFamiliesAsync(client))
            {
                var fqdn = $"{HelloServiceName}.{Namespace}.svc.{dnsDomain}";
                await AwaitCmdOutputContainsAsync(client, ["sh", "-c", NcCommand.For(family, fqdn, port)], match, iterations);
            }
        }
    }

    /// <summary>expectSRVRecords: within 20 s, polling 1 s, nslookup -type=SRV gives <paramref name="expectedCount"/> records.</summary>
    public Task<IReadOnlyList<SrvRecord>> ExpectSrvRecordsAsync(ClusterClient c, string domainName, int expectedCount) =>
        Gomega.Eventually(
            async () =>
            {
                // The trailing dot keeps the search domains out.
                var records = SrvRecord.Parse(await ExecCmdOnRequestPodAsync(c, "sh", "-c", "nslookup -type=SRV " + domainName + "."));
                Assert.True(records.Count == expectedCount, $"Expected {expectedCount} SRV records but got {records.Count}: [{string.Join("; ", records)}]");
                return records;
            },
            TwentySeconds, OneSecond, $"SRV records of {domainName} on cluster \"{c.Name}\"");

    /// <summary>
    /// awaitK8sEndpoints: within 20 s, polling 100 ms, the Kubernetes EndpointSlices of hello of the address type hold
    /// as many ready endpoints as the Deployment has replicas; each with its hostname, else its address dashed.
    /// </summary>
    public Task<IReadOnlyList<EndpointInfo>> AwaitK8sEndpointsAsync(ClusterClient c, string addressType) =>
        Gomega.Eventually<IReadOnlyList<EndpointInfo>>(
            async () =>
            {
                var endpoints = new List<EndpointInfo>();
                foreach (var slice in await c.ListAsync(McsResources.EndpointSlices, Namespace, $"{McsResources.K8sLabelServiceName}={HelloServiceName}"))
                {
                    if (slice["addressType"]?.GetValue<string>() != addressType)
                    {
                        continue;
                    }

                    foreach (var ep in slice["endpoints"]?.AsArray() ?? [])
                    {
                        var addresses = (ep!["addresses"]?.AsArray() ?? []).Select(a => a!.GetValue<string>()).ToList();
                        Assert.True(ep["conditions"]?["ready"]?.GetValue<bool>() ?? true,
                            $"the endpoint address {string.Join(',', addresses)} in the K8s EndpointSlice \"{slice["metadata"]?["name"]}\" is not ready");
                        var hostname = ep["hostname"]?.GetValue<string>();
                        foreach (var address in addresses)
                        {
                            endpoints.Add(new EndpointInfo(address, !string.IsNullOrEmpty(hostname) ? hostname
                                : address.Contains('.', StringComparison.Ordinal) ? address.Replace('.', '-')
                                : address.Contains(':', StringComparison.Ordinal) ? address.Replace(':', '-') : ""));
                        }
                    }
                }

                var expected = HelloDeployment?["spec"]?["replicas"]?.GetValue<int>() ?? 1;
                Assert.True(endpoints.Count == expected, $"the K8s EndpointSlice does not contain the expected number of ready endpoints {expected}: [{string.Join("; ", endpoints)}]");
                return endpoints;
            },
            TwentySeconds, Poll100, $"{addressType} K8s endpoints of {HelloServiceName} on cluster \"{c.Name}\"");

    /// <summary>
    /// awaitMCSEndpointSlice: within 20 s, polling 100 ms, an EndpointSlice with both MCS labels, the address type
    /// and at least one endpoint (the last such in the list), passing <paramref name="verify"/>.
    /// </summary>
    public Task<JsonObject> AwaitMcsEndpointSliceAsync(ClusterClient c, string addressType, Action<JsonObject>? verify, string description) =>
        Gomega.Eventually(
            async () =>
            {
                JsonObject? found = null;
                foreach (var slice in await c.ListAsync(McsResources.EndpointSlices, Namespace))
                {
                    var labels = slice["metadata"]?["labels"]?.AsObject();
                    if (labels is not null && labels.ContainsKey(McsResources.LabelServiceName) && labels.ContainsKey(McsResources.LabelSourceCluster)
                        && slice["addressType"]?.GetValue<string>() == addressType && (slice["endpoints"]?.AsArray().Count ?? 0) > 0)
                    {
                        found = slice;
                        verify?.Invoke(found);
                    }
                }

                return found ?? throw new InvalidOperationException(description);
            },
            TwentySeconds, Poll100, $"{addressType} MCS EndpointSlice on cluster \"{c.Name}\"");

    private static uint RandomUInt32() => BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4));
}
