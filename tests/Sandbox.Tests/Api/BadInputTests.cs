using System.Net;
using System.Text;
using ErieCanal.Orleans.Sandbox.Tests.Infrastructure;
using k8s;
using k8s.Autorest;
using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Api;

/// <summary>Bad input is answered with a 4xx Status, stores nothing, and the server keeps serving.</summary>
public sealed class BadInputTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private readonly Kubernetes _client = fixture.Client();

    public static TheoryData<string, string, string, int, string> Cases => new()
    {
        { "/api/v1/namespaces/default/configmaps", "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"broken\"", 400, "BadRequest" },
        { "/api/v1/namespaces/default/configmaps", "application/yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: [name: broken\n", 400, "BadRequest" },
        { "/api/v1/namespaces/default/widgets", "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\"}}", 404, "NotFound" },
        { "/apis/example.com/v1/namespaces/default/widgets", "application/json", "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\"}}", 404, "NotFound" },
        { "/api/v1/namespaces/default/configmaps", "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{}}", 422, "Invalid" },
        { "/api/v1/namespaces/default/configmaps", "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"Bad_Name\"}}", 422, "Invalid" },
        { "/api/v1/namespaces/default/configmaps", "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"elsewhere\",\"namespace\":\"kube-system\"}}", 400, "BadRequest" },
        { "/api/v1/namespaces/default/configmaps", "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"wrong-kind\"}}", 400, "BadRequest" },
        { "/api/v1/namespaces/default/configmaps", "application/json", "[1,2,3]", 400, "BadRequest" },
        { "/api/v1/namespaces/default/configmaps", "text/plain", "name=x", 415, "UnsupportedMediaType" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_writes_get_a_Status_and_store_nothing(string path, string contentType, string body, int code, string reason)
    {
        using var http = fixture.Http();
        var before = fixture.Cluster.Store.Revision;
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);

        var response = await http.PostAsync(path, content);

        Assert.Equal(code, (int)response.StatusCode);
        var status = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"kind\":\"Status\"", status, StringComparison.Ordinal);
        Assert.Contains($"\"reason\":\"{reason}\"", status, StringComparison.Ordinal);
        Assert.Equal(before, fixture.Cluster.Store.Revision);
        Assert.NotEmpty((await _client.CoreV1.ListNamespaceAsync()).Items);
    }

    [Fact]
    public async Task An_invalid_label_selector_is_a_400()
    {
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: "a in (b"));
        Assert.Equal(HttpStatusCode.BadRequest, error.Response.StatusCode);
        var field = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ListNamespacedConfigMapAsync("default", fieldSelector: "spec.nope=1"));
        Assert.Equal(HttpStatusCode.BadRequest, field.Response.StatusCode);
    }

    [Fact]
    public async Task An_oversized_object_is_refused_with_413()
    {
        var huge = Objects.ConfigMap("huge", value: new string('x', 4 * 1024 * 1024));
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.CreateNamespacedConfigMapAsync(huge, "default"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, error.Response.StatusCode);
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReadNamespacedConfigMapAsync("huge", "default"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
    }

    [Fact]
    public async Task Wrong_credentials_are_Unauthorized()
    {
        using var http = fixture.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-the-token");
        var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Custom_resources_are_validated_against_their_schema()
    {
        var crd = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "crds", "flomesh.io_globaltrafficpolicies.yaml"));
        using var http = fixture.Http();
        using (var content = new StringContent(crd, Encoding.UTF8, "application/yaml"))
        {
            var created = await http.PostAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", content);
            Assert.True(created.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, await created.Content.ReadAsStringAsync());
        }

        const string Path1 = "/apis/flomesh.io/v1alpha1/namespaces/default/globaltrafficpolicies";
        async Task<(HttpStatusCode, string)> Post(string yaml, string query = "")
        {
            using var content = new StringContent(yaml, Encoding.UTF8, "application/yaml");
            var response = await http.PostAsync(Path1 + query, content);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var (code, body) = await Post("apiVersion: flomesh.io/v1alpha1\nkind: GlobalTrafficPolicy\nmetadata:\n  name: bad\nspec:\n  lbType: Nope\n  targets:\n  - clusterKey: a/b/c/d\n    weight: -1\n");
        Assert.Equal((HttpStatusCode)422, code);
        Assert.Contains("spec.lbType", body, StringComparison.Ordinal);
        Assert.Contains("spec.targets[0].weight", body, StringComparison.Ordinal);

        (code, body) = await Post("apiVersion: flomesh.io/v1alpha1\nkind: GlobalTrafficPolicy\nmetadata:\n  name: strict\nspec:\n  surprise: 1\n", "?fieldValidation=Strict");
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Contains("unknown field \\\"spec.surprise\\\"", body.Replace("\"spec.surprise\"", "\\\"spec.surprise\\\"", StringComparison.Ordinal), StringComparison.Ordinal);

        (code, body) = await Post("apiVersion: flomesh.io/v1alpha1\nkind: GlobalTrafficPolicy\nmetadata:\n  name: defaulted\nspec: {}\n");
        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Contains("\"lbType\":\"Locality\"", body, StringComparison.Ordinal);
    }
}
