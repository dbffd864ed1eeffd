using System.Text.Json.Nodes;

namespace ErieCanal.Orleans.Conformance.Tests.Harness;

/// <summary>
/// One of the suite's <c>clients</c>: the real kubectl on the merged kubeconfig with <c>--context &lt;name&gt;</c>,
/// for every object operation the Go suite makes with client-go (create, get, delete, exec).
/// </summary>
public sealed class ClusterClient(string name, string kubeconfig, string workDirectory)
{
    private readonly KubectlRunner _kubectl = new(kubeconfig, workDirectory);

    public string Name { get; } = name;

    public Task<KubectlResult> RunAsync(params string[] args) => _kubectl.RunAsync(["--context", Name, .. args], stdin: null, KubectlRunner.DefaultTimeout);

    public Task<KubectlResult> RunWithInputAsync(string stdin, params string[] args) => _kubectl.RunAsync(["--context", Name, .. args], stdin, KubectlRunner.DefaultTimeout);

    /// <summary><c>kubectl create -f -</c> of one object in <paramref name="ns"/> (null: cluster-scoped); returns what the server stored.</summary>
    public async Task<JsonObject> CreateAsync(JsonObject manifest, string? ns)
    {
        string[] args = ns is null ? ["create", "-o", "json", "-f", "-"] : ["create", "-n", ns, "-o", "json", "-f", "-"];
        var result = (await RunWithInputAsync(manifest.ToJsonString(), args)).AssertSuccess();
        return JsonNode.Parse(result.Stdout)!.AsObject();
    }

    /// <summary><c>kubectl get -o json</c>; null when the object does not exist (the suite's IsNotFound).</summary>
    public async Task<JsonObject?> GetAsync(string resource, string name, string ns)
    {
        var result = await RunAsync("get", resource, name, "-n", ns, "-o", "json");
        if (!result.Succeeded && result.Stderr.Contains("NotFound", StringComparison.Ordinal))
        {
            return null;
        }

        return JsonNode.Parse(result.AssertSuccess().Stdout)!.AsObject();
    }

    /// <summary><c>kubectl get -o json</c> of a list, optionally by label selector; the items.</summary>
    public async Task<IReadOnlyList<JsonObject>> ListAsync(string resource, string ns, string? selector = null)
    {
        string[] args = selector is null ? ["get", resource, "-n", ns, "-o", "json"] : ["get", resource, "-n", ns, "-l", selector, "-o", "json"];
        var result = (await RunAsync(args)).AssertSuccess();
        return (JsonNode.Parse(result.Stdout)!["items"]?.AsArray() ?? []).Select(i => i!.AsObject()).ToList();
    }

    public async Task DeleteAsync(string resource, string name, string ns) =>
        (await RunAsync("delete", resource, name, "-n", ns, "--wait=false")).AssertSuccess();

    /// <summary>execCmd: <c>kubectl exec &lt;pod&gt; -- &lt;command&gt;</c>, stdout only; a failed command's output counts as it is, as upstream ignores the error.</summary>
    public async Task<string> ExecAsync(string pod, string ns, params string[] command) =>
        (await RunAsync(["exec", pod, "-n", ns, "--", .. command])).Stdout;
}
