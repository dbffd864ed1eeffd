using System.Net.Http.Headers;
using System.Net;
using System.Text.Json;
using System.Text;
using ErieCanal.Orleans.Watchers.Informers;
using ErieCanal.Orleans.Watchers.Tests.Infrastructure;
using Xunit.Abstractions;
using Xunit;
using k8s.Models;
using k8s;

namespace ErieCanal.Orleans.Watchers.Tests.Informers;

/// <summary>Custom resources through <see cref="ResourceSources.Custom{T}"/>, with the chart's CRDs installed in the sandbox.</summary>
public sealed class CustomResourceSourceTests(ITestOutputHelper output) : SandboxContext
{
    private const string Group = "flomesh.io";
    private const string Version = "v1alpha1";

    [Fact]
    public async Task Namespaced_custom_resources_are_listed_and_watched_into_the_model()
    {
        await InstallCrdAsync("flomesh.io_serviceexports.yaml");
        var client = Client();
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(Export("web"), Group, Version, "shop", "serviceexports");

        var source = ResourceSources.Custom<TestResource>(client, Group, Version, "serviceexports", namespaced: true, "serviceexports (all namespaces) on test");
        await using var run = new RunningInformer<TestResource>(source, RunningInformer<TestResource>.FastOptions, new TestOutputLogger(output));
        await run.SyncedAsync();
        var web = Assert.Single(run.Informer.Snapshot());
        Assert.Equal(("shop", "web", "*"), (web.Metadata.NamespaceProperty, web.Metadata.Name, web.SpecString("serviceAccountName")));

        await client.CustomObjects.CreateNamespacedCustomObjectAsync(Export("api"), Group, Version, "shop", "serviceexports");
        await Eventually.Until(() => run.Handler.Saw("upsert", "api"), "the added custom resource was delivered");
        await client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Version, "shop", "serviceexports", "web");
        await Eventually.Until(() => run.Handler.Saw("delete", "web"), "the deleted custom resource was delivered");

        var api = Assert.Single(run.Informer.Snapshot());
        Assert.Equal(("ServiceExport", "api"), (api.Kind, api.Metadata.Name));
        Assert.Null(run.Informer.LastError);
    }

    [Fact]
    public async Task Cluster_scoped_custom_resources_are_listed_and_watched_without_a_namespace()
    {
        await InstallCrdAsync("flomesh.io_clusters.yaml");
        var client = Client();
        await client.CustomObjects.CreateClusterCustomObjectAsync(MemberCluster("east"), Group, Version, "clusters");

        var source = ResourceSources.Custom<TestResource>(client, Group, Version, "clusters", namespaced: false, "clusters on test");
        await using var run = new RunningInformer<TestResource>(source, RunningInformer<TestResource>.FastOptions, new TestOutputLogger(output));
        await run.SyncedAsync();
        var east = Assert.Single(run.Informer.Snapshot());

        // The server's schema defaulting shows the object came from the API, not from the test's own copy.
        Assert.Equal(("east", "default"), (east.Metadata.Name, east.SpecString("region")));

        await client.CustomObjects.CreateClusterCustomObjectAsync(MemberCluster("west"), Group, Version, "clusters");
        await Eventually.Until(() => run.Has("west"), "the added cluster was delivered");
        Assert.Null(run.Informer.Snapshot().Single(c => c.Metadata.Name == "west").Metadata.NamespaceProperty);
    }

    private static TestResource Export(string name) => new()
    {
        Kind = "ServiceExport",
        Metadata = new V1ObjectMeta { Name = name },
        Spec = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["serviceAccountName"] = "*" }),
    };

    private static TestResource MemberCluster(string name) => new()
    {
        Kind = "Cluster",
        Metadata = new V1ObjectMeta { Name = name },
        Spec = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["gatewayHost"] = $"{name}.example" }),
    };

    private async Task InstallCrdAsync(string file)
    {
        var yaml = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "crds", file));
        using var http = new HttpClient { BaseAddress = Cluster.Server, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
        {
            Content = new StringContent(yaml, Encoding.UTF8, "application/yaml"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Cluster.Token);
        using var response = await http.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }
}
