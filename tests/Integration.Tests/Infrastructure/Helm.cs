using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ErieCanal.Orleans.TestSupport.Kubectl;
using k8s;
using k8s.Models;
using Xunit;
using YamlDotNet.Serialization;

namespace ErieCanal.Orleans.Integration.Tests.Infrastructure;

/// <summary>
/// The real helm (3.17; .ci/run installs it, HELM names another binary) against the repository's chart, and reading
/// what it rendered.
/// </summary>
public static class Helm
{
    public static readonly string Chart = Path.Combine(RepoPaths.Root, "charts", "erie-canal-orleans");

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly IDeserializer Reader = new DeserializerBuilder().Build();

    /// <summary>Runs helm; the output is stdout then stderr. A run past the timeout is killed and fails the test.</summary>
    public static Task<(int Code, string Output)> RunAsync(params string[] args) => HelmProcess.RunAsync(args, Timeout);

    /// <summary><c>helm template ec &lt;chart&gt;</c> with <paramref name="args"/>; the rendered YAML, or the test fails.</summary>
    public static async Task<string> TemplateAsync(params string[] args)
    {
        var (code, output) = await RunAsync(["template", "ec", Chart, .. args]);
        Assert.True(code == 0, output);
        return output;
    }

    /// <summary>
    /// The silos' StatefulSet, of which a control-plane install renders exactly one (read on its own: the rendering may
    /// hold kinds KubernetesClient cannot load, like ServiceMonitor).
    /// </summary>
    public static V1StatefulSet StatefulSet(string yaml) =>
        KubernetesYaml.Deserialize<V1StatefulSet>(Assert.Single(Texts(yaml), t => Kind(t) == "StatefulSet"));

    /// <summary>The silo container's environment by name.</summary>
    public static Dictionary<string, V1EnvVar> SiloEnv(string yaml) =>
        Assert.Single(StatefulSet(yaml).Spec.Template.Spec.Containers).Env.ToDictionary(e => e.Name);

    /// <summary>Every rendered object as JSON (kinds KubernetesClient has no model for, like ServiceMonitor, too).</summary>
    public static List<JsonNode> Documents(string yaml)
    {
        var writer = new SerializerBuilder().JsonCompatible().Build();
        return Texts(yaml).Select(t => JsonNode.Parse(writer.Serialize(Reader.Deserialize<object>(t)))!).ToList();
    }

    /// <summary>The rendered objects of one kind, as JSON.</summary>
    public static List<JsonNode> Documents(string yaml, string kind) =>
        Documents(yaml).Where(d => d["kind"]?.GetValue<string>() == kind).ToList();

    /// <summary>The YAML of each rendered object (helm's comment-only documents left out).</summary>
    private static IEnumerable<string> Texts(string yaml) =>
        Regex.Split(yaml, @"^---\s*$", RegexOptions.Multiline).Where(t => Reader.Deserialize<object?>(t) is not null);

    private static string? Kind(string text) => Reader.Deserialize<Dictionary<object, object>?>(text)?.GetValueOrDefault("kind") as string;
}
