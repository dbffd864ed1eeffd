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

    /// <summary>
    /// A kubeconfig for the cluster's HTTPS port that trusts the cluster's CA and carries <paramref name="token"/>
    /// (a ServiceAccount token, or the admin token): what a user of a real cluster holds, authenticated and authorized.
    /// </summary>
    public static string WriteSecure(SandboxCluster cluster, string userName, string token, string ns = "default")
    {
        var ca = Convert.ToBase64String(Encoding.UTF8.GetBytes(cluster.CaCertificatePem));
        var yaml = new StringBuilder();
        yaml.AppendLine("apiVersion: v1");
        yaml.AppendLine("kind: Config");
        yaml.AppendLine("preferences: {}");
        yaml.AppendLine("clusters:");
        yaml.AppendLine($"- name: {cluster.Name}");
        yaml.AppendLine("  cluster:");
        yaml.AppendLine($"    server: {cluster.SecureServer.ToString().TrimEnd('/')}");
        yaml.AppendLine($"    certificate-authority-data: {ca}");
        yaml.AppendLine("users:");
        yaml.AppendLine($"- name: {userName}");
        yaml.AppendLine("  user:");
        yaml.AppendLine($"    token: {token}");
        yaml.AppendLine("contexts:");
        yaml.AppendLine($"- name: {cluster.Name}");
        yaml.AppendLine("  context:");
        yaml.AppendLine($"    cluster: {cluster.Name}");
        yaml.AppendLine($"    user: {userName}");
        yaml.AppendLine($"    namespace: {ns}");
        yaml.AppendLine($"current-context: {cluster.Name}");
        return yaml.ToString();
    }
}
