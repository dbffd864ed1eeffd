using Xunit;

namespace ErieCanal.Orleans.Sandbox.Tests.Kubectl;

/// <summary>Bad manifests make kubectl fail with the server's message, and the server keeps serving.</summary>
public sealed class KubectlBadInputTests(CrdSandboxFixture fixture) : IClassFixture<CrdSandboxFixture>
{
    private readonly KubectlRunner _kubectl = fixture.Kubectl;

    public static TheoryData<string, string, string> BadManifests => new()
    {
        {
            "malformed yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\n data: [\n",
            "error converting YAML to JSON: yaml: line 4: did not find expected key"
        },
        {
            "unknown kind",
            "apiVersion: v1\nkind: Widget\nmetadata:\n  name: widget\n",
            "no matches for kind \"Widget\" in version \"v1\""
        },
        {
            "unknown group",
            "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: widget\n",
            "no matches for kind \"Widget\" in version \"example.com/v1\""
        },
        {
            "bad name",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n  namespace: default\n",
            "The ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters"
        },
        {
            "unknown field in a custom resource",
            "apiVersion: flomesh.io/v1alpha1\nkind: GlobalTrafficPolicy\nmetadata:\n  name: strict\n  namespace: httpbin\nspec:\n  lbType: ActiveActive\n  bogusField: 1\n",
            "strict decoding error: unknown field \"spec.bogusField\""
        },
        {
            "invalid enum in a custom resource",
            "apiVersion: flomesh.io/v1alpha1\nkind: GlobalTrafficPolicy\nmetadata:\n  name: roundrobin\n  namespace: httpbin\nspec:\n  lbType: RoundRobin\n",
            "The GlobalTrafficPolicy \"roundrobin\" is invalid: spec.lbType: Unsupported value: \"RoundRobin\": supported values: \"Locality\", \"ActiveActive\", \"FailOver\""
        },
    };

    [Theory]
    [MemberData(nameof(BadManifests))]
    public async Task Bad_manifest_fails_with_the_message_and_the_server_keeps_serving(string what, string manifest, string message)
    {
        foreach (var verb in new[] { new[] { "apply" }, ["apply", "--server-side"], ["create"] })
        {
            var result = (await _kubectl.RunWithInputAsync(manifest, [.. verb, "-f", "-"])).AssertFailure();
            Assert.True(result.Stderr.Contains(message, StringComparison.Ordinal), $"{what} ({string.Join(' ', verb)}): expected \"{message}\" in: {result}");
            Assert.Equal("", result.Stdout);

            var namespaces = (await _kubectl.RunAsync("get", "ns")).AssertSuccess().Table;
            Assert.Equal("Active", namespaces.Row("default")["STATUS"]);
        }
    }

    [Fact]
    public async Task Nothing_from_a_rejected_manifest_is_stored()
    {
        var manifest = "apiVersion: flomesh.io/v1alpha1\nkind: GlobalTrafficPolicy\nmetadata:\n  name: half\n  namespace: httpbin\nspec:\n  lbType: Sideways\n";
        (await _kubectl.RunWithInputAsync(manifest, "apply", "-f", "-")).AssertFailure();
        Assert.Contains("globaltrafficpolicies.flomesh.io \"half\" not found", (await _kubectl.RunAsync("get", "gtp", "half", "-n", "httpbin")).AssertFailure().Stderr);
        Assert.Null(fixture.Cluster.Store.Get("globaltrafficpolicies.flomesh.io", "httpbin", "half"));
    }

    [Fact]
    public async Task Malformed_request_bodies_get_bad_request_and_the_server_keeps_serving()
    {
        var body = Path.Combine(fixture.WorkDirectory, "truncated.json");
        await File.WriteAllTextAsync(body, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":""");
        var truncated = (await _kubectl.RunAsync("create", "--raw", "/api/v1/namespaces/default/configmaps", "-f", body)).AssertFailure();
        Assert.Contains("Error from server (BadRequest)", truncated.Stderr);

        await File.WriteAllTextAsync(body, "not: [json");
        Assert.Contains("Error from server (BadRequest)", (await _kubectl.RunAsync("create", "--raw", "/api/v1/namespaces/default/configmaps", "-f", body)).AssertFailure().Stderr);

        Assert.Contains("default", (await _kubectl.RunAsync("get", "ns", "-o", "name")).AssertSuccess().Stdout);
    }

    [Fact]
    public async Task Unknown_resource_type_on_the_command_line_is_reported()
    {
        var result = (await _kubectl.RunAsync("get", "widgets")).AssertFailure();
        Assert.Contains("the server doesn't have a resource type \"widgets\"", result.Stderr);
        (await _kubectl.RunAsync("get", "ns")).AssertSuccess();
    }
}
