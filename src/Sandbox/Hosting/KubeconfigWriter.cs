using System.Text;

namespace ErieCanal.Orleans.Sandbox.Hosting;

/// <summary>Writes kubeconfig YAML: one cluster, user and context per sandbox cluster, named after it.</summary>
public static class KubeconfigWriter
{
    public static string Write(IReadOnlyList<SandboxCluster> clusters, string currentContext)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("apiVersion: v1");
        yaml.AppendLine("kind: Config");
        yaml.AppendLine("preferences: {}");
        yaml.AppendLine("clusters:");
        foreach (var c in clusters)
        {
            yaml.AppendLine($"- name: {c.Name}");
            yaml.AppendLine("  cluster:");
            yaml.AppendLine($"    server: {c.Server.ToString().TrimEnd('/')}");
        }

        yaml.AppendLine("users:");
        foreach (var c in clusters)
        {
            yaml.AppendLine($"- name: {c.Name}-admin");
            yaml.AppendLine("  user:");
            yaml.AppendLine($"    token: {c.Token}");
        }

        yaml.AppendLine("contexts:");
        foreach (var c in clusters)
        {
            yaml.AppendLine($"- name: {c.Name}");
            yaml.AppendLine("  context:");
            yaml.AppendLine($"    cluster: {c.Name}");
            yaml.AppendLine($"    user: {c.Name}-admin");
            yaml.AppendLine("    namespace: default");
        }

        yaml.AppendLine($"current-context: {currentContext}");
        return yaml.ToString();
    }
}
