using k8s;
using k8s.Models;

namespace ErieCanal.Orleans.Watchers.Crds;

/// <summary>The CRDs of charts/erie-canal-orleans/crds, embedded in this assembly so every host carries the same ones.</summary>
public static class CrdManifests
{
    private static readonly Lazy<IReadOnlyList<V1CustomResourceDefinition>> All = new(Load);

    /// <summary>Every CRD of the system, ordered by file name (fresh copies: callers may edit them).</summary>
    public static IReadOnlyList<V1CustomResourceDefinition> Load()
    {
        var assembly = typeof(CrdManifests).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("crds/", StringComparison.Ordinal) && n.EndsWith(".yaml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return KubernetesYaml.Deserialize<V1CustomResourceDefinition>(reader.ReadToEnd());
            })
            .ToList();
    }

    /// <summary>One CRD by name, e.g. <c>serviceimports.flomesh.io</c>.</summary>
    public static V1CustomResourceDefinition Get(string name) =>
        KubernetesYaml.Deserialize<V1CustomResourceDefinition>(KubernetesYaml.Serialize(All.Value.Single(c => c.Metadata.Name == name)));
}
