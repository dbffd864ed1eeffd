using System.Text.Json.Nodes;
using k8s;
using Xunit;
using static ErieCanal.Orleans.Sandbox.Tests.Api.CustomObjectJson;

namespace ErieCanal.Orleans.Sandbox.Tests.Api;

/// <summary>
/// The upstream ServiceImport CRD serves v1alpha1 and v1beta1 with conversion None: one stored object, read, listed
/// and watched through either version with only apiVersion differing, as a real server converts it.
/// </summary>
public sealed class MultiVersionCrdTests(UpstreamCrdFixture fixture) : IClassFixture<UpstreamCrdFixture>
{
    private const string Group = "multicluster.x-k8s.io";
    private const string Ns = UpstreamCrdFixture.Namespace;

    private readonly Kubernetes _client = fixture.Client();

    [Fact]
    public async Task Created_through_v1alpha1_reads_lists_and_watches_through_both_versions()
    {
        var before = ToNode(await _client.CustomObjects.ListNamespacedCustomObjectAsync(Group, "v1beta1", Ns, "serviceimports"));
        var rv = (string)before["metadata"]!["resourceVersion"]!;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var beta = FirstEventAsync("v1beta1", rv, stop.Token);
        var alpha = FirstEventAsync("v1alpha1", rv, stop.Token);

        var created = ToNode(await _client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse("""
            {"apiVersion":"multicluster.x-k8s.io/v1alpha1","kind":"ServiceImport","metadata":{"name":"two-versions"},
             "spec":{"type":"ClusterSetIP","ports":[{"name":"tcp","port":42,"protocol":"TCP"},{"name":"udp","port":42,"protocol":"UDP"}]}}
            """), Group, "v1alpha1", Ns, "serviceimports"));
        Assert.Equal("multicluster.x-k8s.io/v1alpha1", (string?)created["apiVersion"]);

        var read = ToNode(await _client.CustomObjects.GetNamespacedCustomObjectAsync(Group, "v1beta1", Ns, "serviceimports", "two-versions"));
        Assert.Equal("multicluster.x-k8s.io/v1beta1", (string?)read["apiVersion"]);
        Assert.Equal(created["spec"]!.ToJsonString(), read["spec"]!.ToJsonString());
        Assert.Equal((string?)created["metadata"]!["uid"], (string?)read["metadata"]!["uid"]);

        var list = ToNode(await _client.CustomObjects.ListNamespacedCustomObjectAsync(Group, "v1alpha1", Ns, "serviceimports"));
        Assert.Contains(list["items"]!.AsArray(), i => (string?)i!["metadata"]!["name"] == "two-versions" && (string?)i["apiVersion"] == "multicluster.x-k8s.io/v1alpha1");

        Assert.Equal(("ADDED", "multicluster.x-k8s.io/v1beta1", "two-versions"), await beta);
        Assert.Equal(("ADDED", "multicluster.x-k8s.io/v1alpha1", "two-versions"), await alpha);
    }

    private async Task<(string Type, string ApiVersion, string Name)> FirstEventAsync(string version, string resourceVersion, CancellationToken cancellationToken)
    {
        using var http = fixture.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/apis/{Group}/{version}/namespaces/{Ns}/serviceimports?watch=true&resourceVersion={resourceVersion}");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            var e = JsonNode.Parse(line)!;
            if ((string?)e["type"] != "BOOKMARK")
            {
                return ((string)e["type"]!, (string)e["object"]!["apiVersion"]!, (string)e["object"]!["metadata"]!["name"]!);
            }
        }

        throw new InvalidOperationException("the watch ended without an event");
    }
}
